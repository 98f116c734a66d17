/**
 * The layering rules of eslint.layers.js bite: ESLint's Node API on a small tree written to a
 * temp folder (a cycle, a feature importing another's internals, the core importing Electron,
 * the renderer reaching into src-main) reports each, and a clean import passes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS config module without types
import { layers } from '../../eslint.layers.js';

const FILES: Record<string, string> = {
  'src-main/telephony/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
  'src-main/telephony/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
  'src-main/telephony/audio/vad.ts': 'export const vad = 1;\n',
  'src-main/pdf/engine.ts': 'export const engine = 1;\n',
  'src-main/agent/brain.ts': "import { vad } from '../telephony/audio/vad';\nexport const brain = vad;\n",
  'src-main/audio/mulaw.ts': 'export const mulaw = 1;\n',
  'src-main/agent/ok.ts': "import { mulaw } from '../audio/mulaw';\nexport const ok = mulaw;\n",
  'src-main/billing/ok.ts': "import { engine } from '../pdf/engine';\nexport const ok = engine;\n",
  'src-main/core/module.ts': "import { app } from 'electron';\nexport const m = app;\n",
  'src-main/platform/bad.ts': "import { ok } from '../agent/ok';\nexport const bad = ok;\n",
  'src-main/api/contract/x.ts': 'export const x = 1;\n',
  'src-renderer/page.ts': "import { vad } from '../src-main/telephony/audio/vad';\nexport const p = vad;\n",
  'src-renderer/ok.ts': "import { x } from '../src-main/api/contract/x';\nexport const ok = x;\n",
};

let root: string;
let results: Map<string, string[]>;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-layers-'));
  for (const [rel, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as never } },
      ...layers(root),
    ],
  });
  const out = await eslint.lintFiles(['src-main/**/*.ts', 'src-renderer/**/*.ts']);
  results = new Map(
    out.map((r) => [path.relative(root, r.filePath), r.messages.map((m) => `${m.ruleId}: ${m.message}`)]),
  );
}, 60_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('lint layers', () => {
  it('fails on an import cycle', () => {
    expect(results.get('src-main/telephony/a.ts')).toEqual([expect.stringMatching(/^import-x\/no-cycle/)]);
  });

  it('fails on a feature importing another feature’s internals', () => {
    expect(results.get('src-main/agent/brain.ts')).toEqual([
      expect.stringMatching(/no-restricted-paths.*agent\/ reaches telephony\//),
    ]);
  });

  it('fails on Electron outside the shell and on foundation importing a feature', () => {
    expect(results.get('src-main/core/module.ts')).toEqual([
      expect.stringMatching(/no-restricted-imports.*shell/),
    ]);
    expect(results.get('src-main/platform/bad.ts')).toEqual([
      expect.stringMatching(/no-restricted-paths.*platform\/ is foundation/),
    ]);
  });

  it('fails on the renderer reaching past the API contract', () => {
    expect(results.get('src-renderer/page.ts')).toEqual([
      expect.stringMatching(/no-restricted-paths.*renderer/),
    ]);
  });

  it('passes shared audio, the published Twilio client and the contract', () => {
    expect(results.get('src-main/agent/ok.ts')).toEqual([]);
    expect(results.get('src-main/billing/ok.ts')).toEqual([]);
    expect(results.get('src-renderer/ok.ts')).toEqual([]);
  });
});
