import { execSync } from 'node:child_process';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/** Writes out/main/build-info.json (commit, build time) that /version reports. */
function buildInfo(): Plugin {
  return {
    name: 'agentlocator-build-info',
    apply: 'build',
    generateBundle() {
      let commit = process.env.AGENTLOCATOR_COMMIT ?? 'unknown';
      try {
        commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim();
      } catch {
        /* not a git checkout */
      }
      this.emitFile({
        type: 'asset',
        fileName: 'build-info.json',
        source: JSON.stringify({ commit, build_time: new Date().toISOString() }),
      });
    },
  };
}

/** After the renderer, the remote signing page's own bundle (vite.sign.config.ts → out/sign). */
function signPage(): Plugin {
  return {
    name: 'agentlocator-sign-page',
    apply: 'build',
    async closeBundle() {
      const { build } = await import('vite');
      await build({ configFile: resolve(__dirname, 'vite.sign.config.ts') });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [buildInfo()],
    build: {
      outDir: 'out/main',
      // Pure-ESM libraries are bundled in: fewer files to resolve and load at start-up.
      externalizeDeps: {
        exclude: [
          'zod',
          'drizzle-orm',
          'libphonenumber-js',
          'fastify',
          '@fastify/formbody',
          '@fastify/rate-limit',
          '@fastify/static',
          'ws',
          'pino',
          'rotating-file-stream',
        ],
      },
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          headless: resolve(__dirname, 'src-main/headless.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [react(), signPage()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rolldownOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
