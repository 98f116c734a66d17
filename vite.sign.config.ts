/**
 * The remote signing page (src-renderer/sign-public): its own small bundle in out/sign, served by
 * the public server under /sign-assets/ (src-main/contracts/sign-page.ts). It shares the signing
 * form with the CRM but never the CRM bundle, which the public server must not serve.
 * Built by `electron-vite build` (the renderer's `signPage` plugin in electron.vite.config.ts),
 * or alone: `npx vite build -c vite.sign.config.ts`.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: at('./src-renderer/sign-public'),
  base: '/sign-assets/',
  publicDir: false,
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: at('./out/sign'),
    emptyOutDir: true,
    // One flat folder: the server serves exactly the names the build wrote there.
    assetsDir: '',
    // Nothing inlined as data: (the page's policy allows no fonts, and no inline anything).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    minify: true,
  },
});
