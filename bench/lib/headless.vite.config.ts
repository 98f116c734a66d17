/**
 * The app's own electron-vite main-process build (electron.vite.config.ts), main only, into
 * out/bench-headless/: the startup bench measures a bundle built from the code it is committed
 * with, without a renderer build and without touching out/main.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import base from '../../electron.vite.config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HEADLESS_OUT_DIR = path.join(root, 'out', 'bench-headless');

const main = (base as { main?: { build?: Record<string, unknown> } }).main ?? {};
export default {
  main: { ...main, build: { ...main.build, outDir: HEADLESS_OUT_DIR } },
};
