import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { ROOT } from './harness';

/** Where an Electron binary exists, the real shell is started; elsewhere the reason is printed. */
function electronSkipReason(): string | null {
  const pathTxt = path.join(ROOT, 'node_modules/electron/path.txt');
  if (
    !existsSync(pathTxt) ||
    !existsSync(path.join(ROOT, 'node_modules/electron/dist', readFileSync(pathTxt, 'utf8').trim()))
  ) {
    return 'no Electron binary on this machine (its download host is unreachable); the shell is typechecked, the core is tested in browser mode';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'no display for an Electron window';
  return null;
}

test('the Electron shell opens a locked-down Hebrew window backed by IPC', async () => {
  const reason = electronSkipReason();
  if (reason) console.log(`[electron test skipped] ${reason}`);
  test.skip(reason !== null, reason ?? '');

  const app = await electron.launch({
    args: [ROOT],
    env: {
      ...process.env,
      AGENTLOCATOR_DATA_DIR: path.join(ROOT, 'test-results', 'electron-data'),
      PORT: '0',
    },
  });
  const page = await app.firstWindow();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  // Served from the app's own protocol, not file://.
  expect(page.url()).toMatch(/^app:\/\/agentlocator\/index\.html/);
  // nodeIntegration off and context isolation on: no Node in the page, only the bridge.
  const globals = await page.evaluate(() => ({
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
    bridge: typeof (window as unknown as { agentlocator?: unknown }).agentlocator,
  }));
  expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: 'object' });
  const biz = await page.evaluate(() =>
    (
      window as unknown as { agentlocator: { call(m: string, i: unknown): Promise<unknown> } }
    ).agentlocator.call('business.get', {}),
  );
  expect(biz).toMatchObject({ ok: true });
  await app.close();
});
