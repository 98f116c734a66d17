// `npm run app`: install what is missing, build, and start the Electron app. Where no Electron
// binary can be had (no network to its download host, or no display), start browser mode and say why.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ensureBuilt, ensureDeps, ensureNativeFor, log } from './lib.mjs';

ensureDeps();
ensureBuilt();

function electronBinary() {
  const pathTxt = path.join(ROOT, 'node_modules/electron/path.txt');
  if (!existsSync(pathTxt)) return null;
  const exe = path.join(ROOT, 'node_modules/electron/dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

function whyNoElectron() {
  if (process.env.AGENTLOCATOR_BROWSER_MODE === '1') return 'AGENTLOCATOR_BROWSER_MODE=1 was set';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no graphical display (DISPLAY/WAYLAND_DISPLAY unset)';
  }
  if (!electronBinary()) {
    log('downloading the Electron binary…');
    const res = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/electron/install.js')], {
      cwd: ROOT,
      stdio: 'inherit',
      timeout: 180_000,
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
    });
    if (res.status !== 0 || !electronBinary())
      return 'the Electron binary could not be downloaded on this machine';
  }
  return null;
}

const reason = whyNoElectron();
let child;
if (reason) {
  log(`Electron cannot start here: ${reason}.`);
  log('Starting browser mode instead: open the "Open the app" link printed below in a browser.');
  ensureNativeFor('node');
  child = spawn(process.execPath, [path.join(ROOT, 'out/main/headless.js')], { cwd: ROOT, stdio: 'inherit' });
} else {
  ensureNativeFor('electron');
  child = spawn(electronBinary(), ['.'], { cwd: ROOT, stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
