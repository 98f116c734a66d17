// Set-up helpers shared by `npm run app`, `npm test`, `npm run serve` and `npm run bench`:
// each installs what a fresh machine lacks, so the README's two commands are all a person needs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NM = path.join(ROOT, 'node_modules');

export function log(msg) {
  process.stderr.write(`\x1b[36m[agentlocator]\x1b[0m ${msg}\n`);
}

/** Runs a command in the project folder; returns its exit status. */
export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: 'inherit',
    ...opts,
    env: { ...process.env, ...opts.env },
  });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

function must(cmd, args, opts) {
  const status = run(cmd, args, opts);
  if (status !== 0) {
    log(`failed: ${cmd} ${args.join(' ')} (exit ${status})`);
    process.exit(status);
  }
}

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function newest(dir) {
  let latest = mtime(dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return latest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(p) : mtime(p));
  }
  return latest;
}

/**
 * npm packages: `npm ci` on a fresh checkout, `npm install` when the lock file changed.
 * Electron's own binary download is skipped here (it needs a host the build machines cannot
 * reach); `npm run app` tries it separately and falls back to browser mode.
 */
export function ensureDeps() {
  // onnxruntime-node's install script would download optional CUDA files (offline: it fails);
  // .npmrc says the same for a plain `npm ci`.
  const env = { ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ONNXRUNTIME_NODE_INSTALL: 'skip' };
  if (!existsSync(path.join(NM, '.package-lock.json'))) {
    log('installing npm packages (npm ci)…');
    must('npm', ['ci', '--no-audit', '--no-fund'], { env });
  } else if (
    mtime(path.join(ROOT, 'package-lock.json')) >
    mtime(path.join(NM, '.package-lock.json')) + 1000
  ) {
    log('package-lock.json changed: npm install…');
    must('npm', ['install', '--no-audit', '--no-fund'], { env });
  }
}

const ABI_MARK = path.join(NM, '.agentlocator-native-abi');

/** better-sqlite3 is built for one runtime at a time: plain Node (tests, browser mode) or Electron. */
export function ensureNativeFor(target) {
  const current = existsSync(ABI_MARK) ? readFileSync(ABI_MARK, 'utf8').trim() : 'node';
  if (current === target) return;
  if (target === 'node') {
    log('rebuilding native modules for Node…');
    must('npm', ['rebuild', 'better-sqlite3']);
  } else {
    log('rebuilding native modules for Electron…');
    must('npx', ['electron-builder', 'install-app-deps']);
  }
  writeFileSync(ABI_MARK, target);
}

/** Builds main, preload and renderer (electron-vite) when any source is newer than the build. */
export function ensureBuilt({ force = false } = {}) {
  // The remote signing page is a second bundle of the same build (vite.sign.config.ts).
  const built = Math.min(
    mtime(path.join(ROOT, 'out/main/headless.js')),
    mtime(path.join(ROOT, 'out/sign/index.html')),
  );
  const sources = Math.max(
    newest(path.join(ROOT, 'src-main')),
    newest(path.join(ROOT, 'src-preload')),
    newest(path.join(ROOT, 'src-renderer')),
    mtime(path.join(ROOT, 'electron.vite.config.ts')),
    mtime(path.join(ROOT, 'vite.sign.config.ts')),
    mtime(path.join(ROOT, 'package-lock.json')),
  );
  if (!force && built > sources) return;
  log('building (electron-vite build)…');
  must('npx', ['electron-vite', 'build']);
}

/** Debian's Chromium drives the end-to-end tests; Playwright's own browsers cannot be downloaded. */
export function ensureChromium() {
  const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(exe)) return exe;
  if (process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    log('installing Debian chromium for the end-to-end tests…');
    must('apt-get', ['update', '-qq']);
    must('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    if (existsSync(exe)) return exe;
  }
  return null;
}
