/**
 * SPEC §4: the one card processor that is not available to Israeli merchants must not exist
 * anywhere in the code — no source file, no dependency (direct or transitive), no UI string, no
 * build config names it. Its name is built from pieces here so this file does not match itself.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const WORD = ['str', 'ipe'].join('');
const PATTERN = new RegExp(`\\b${WORD}\\b`, 'i');
const DIRS = [
  'src-main',
  'src-renderer',
  'src-preload',
  'scripts',
  'bench',
  'tests',
  'resources',
  'docs',
  'build',
];
const FILES = ['package.json', 'electron-builder.yml', 'electron.vite.config.ts', 'README.md'];
const TEXT = /\.(ts|tsx|js|mjs|cjs|json|md|yml|yaml|html|css|sql|txt)$/;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (TEXT.test(name) && st.size < 4_000_000) out.push(p);
  }
}

describe(`no ${WORD}`, () => {
  it('no file of the project names it', () => {
    const files: string[] = FILES.map((f) => path.join(ROOT, f));
    for (const d of DIRS) {
      try {
        walk(path.join(ROOT, d), files);
      } catch {
        // a folder that does not exist has nothing to say
      }
    }
    expect(files.length).toBeGreaterThan(100);
    const hits = files
      .filter((f) => PATTERN.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(ROOT, f));
    expect(hits).toEqual([]);
  });

  it('no package depends on it, directly or through another package', () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const names = Object.keys(lock.packages).filter((k) =>
      PATTERN.test(k.split('node_modules/').pop() ?? ''),
    );
    expect(names).toEqual([]);
  });
});
