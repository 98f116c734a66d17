// `npm test`: installs what is missing, then runs every check and test — typecheck, lint,
// unit + integration (vitest), build, end-to-end in Chromium (Playwright) — and prints one
// closing line "N passed, N failed, N skipped". Exits non-zero if anything failed.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ensureBuilt, ensureChromium, ensureDeps, ensureNativeFor, log, run } from './lib.mjs';

const only = process.argv.slice(2); // e.g. `npm test -- unit e2e`
const want = (step) => only.length === 0 || only.includes(step);

ensureDeps();
ensureNativeFor('node');
const results = path.join(ROOT, 'test-results');
mkdirSync(results, { recursive: true });

const steps = [];
let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, fn) {
  if (!want(name)) return;
  log(`── ${name}`);
  const started = Date.now();
  const ok = fn();
  steps.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

step('typecheck', () =>
  ['tsconfig.node.json', 'tsconfig.web.json', 'tsconfig.e2e.json'].every(
    (p) => run('npx', ['tsc', '-p', p, '--noEmit']) === 0,
  ),
);
step(
  'lint',
  () =>
    run('npx', ['eslint', '--max-warnings=0', '.']) === 0 &&
    run('npx', ['prettier', '--check', '--log-level=warn', '.']) === 0,
);

step('unit', () => {
  const out = path.join(results, 'vitest.json');
  rmSync(out, { force: true });
  const status = run('npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  const r = readJson(out);
  if (r) {
    passed += r.numPassedTests ?? 0;
    failed += r.numFailedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else if (status !== 0) failed += 1;
  return status === 0;
});

step('e2e', () => {
  ensureBuilt();
  const chromium = ensureChromium();
  if (!chromium) {
    log(
      'Chromium is not installed and could not be installed here: install Debian `chromium` (or set CHROMIUM_PATH).',
    );
    failed += 1;
    return false;
  }
  const out = path.join(results, 'e2e.json');
  rmSync(out, { force: true });
  const status = run('npx', ['playwright', 'test'], { env: { CHROMIUM_PATH: chromium } });
  const r = readJson(out);
  if (r?.stats) {
    passed += (r.stats.expected ?? 0) + (r.stats.flaky ?? 0);
    failed += r.stats.unexpected ?? 0;
    skipped += r.stats.skipped ?? 0;
  } else if (status !== 0) failed += 1;
  return status === 0;
});

console.log('');
for (const s of steps) console.log(`${s.ok ? '✅' : '❌'} ${s.name} (${s.seconds}s)`);
const stepFailures = steps.filter((s) => !s.ok).length;
if (stepFailures && failed === 0) failed = stepFailures;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (!existsSync(path.join(ROOT, 'out/main/headless.js'))) log('note: the app is not built');
process.exit(stepFailures ? 1 : 0);
