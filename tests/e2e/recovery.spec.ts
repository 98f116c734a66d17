import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENS, startApp, type RunningApp } from './harness';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let app: RunningApp | undefined;
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
});

test('a damaged database opens on one Hebrew recovery page; starting fresh keeps the file and opens the empty app', async ({
  page,
}) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-e2e-damaged-'));
  const dbFile = path.join(dataDir, 'agentlocator.db');
  writeFileSync(dbFile, randomBytes(64 * 1024));
  const hash = sha256(dbFile);
  app = await startApp({ dataDir });
  expect(app.output()).toContain('RECOVERY MODE');
  expect(app.output()).not.toMatch(/SqliteError|\n\s+at /);

  await page.goto(app.openUrl);
  const screen = page.getByTestId('recovery-page');
  await expect(screen).toBeVisible();
  await expect(screen.getByRole('heading', { level: 1 })).toHaveText('קובץ הנתונים של האפליקציה פגום');
  await expect(screen).toContainText('השיחות הנכנסות ממשיכות להיענות');
  await expect(page.getByTestId('recovery-file')).toHaveText(dbFile);
  await expect(screen.getByRole('button', { name: /שחזור מגיבוי/ })).toBeDisabled();
  await expect(page.getByRole('navigation', { name: 'ניווט ראשי' })).toHaveCount(0);
  await page.screenshot({ path: path.join(SCREENS, 'recovery.png') });

  page.once('dialog', (d) => void d.accept());
  await screen.getByRole('button', { name: 'התחלה עם מסד נתונים ריק' }).click();
  await expect(page.getByRole('navigation', { name: 'ניווט ראשי' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('recovery-page')).toHaveCount(0);

  const kept = readdirSync(dataDir).filter((f) => /^agentlocator\.db\.damaged-[^-]+.*Z$/.test(f));
  expect(kept).toHaveLength(1);
  expect(sha256(path.join(dataDir, kept[0]!))).toBe(hash);
});
