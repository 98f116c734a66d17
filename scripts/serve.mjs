// `npm run serve`: the headless core (browser mode) in plain Node.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, ensureBuilt, ensureDeps, ensureNativeFor } from './lib.mjs';

ensureDeps();
ensureNativeFor('node');
ensureBuilt();
const child = spawn(process.execPath, [path.join(ROOT, 'out/main/headless.js')], {
  cwd: ROOT,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
