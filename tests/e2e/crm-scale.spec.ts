/**
 * CRM at scale (issue 15, "Scale"): on a demo business with thousands of tasks on one day and
 * thousands of deals per stage, the calendar and the deals board draw a bounded number of items;
 * "+N" opens the day (paged), the board's "more" loads further cards.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { closeDb, openDb } from '../../src-main/db/client';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { ROOT, SCREENS, startApp, type RunningApp } from './harness';

let app: RunningApp;
test.beforeAll(async () => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-e2e-crm-scale-'));
  const db = openDb({
    file: path.join(dataDir, 'agentlocator.db'),
    migrationsDir: path.join(ROOT, 'src-main/db/migrations'),
  });
  generateDemoData(db, { customers: 20_000, messages: 0, calls: 0, seed: 5 });
  closeDb(db);
  app = await startApp({ dataDir });
});
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
});

test('calendar week cells are bounded and "+N" opens the day, paged', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(app.openUrl + '#/tasks');
  const cal = page.getByTestId('calendar');
  await expect(cal.locator('.event').first()).toBeVisible({ timeout: 20_000 });
  const cols = cal.locator('.day-col');
  for (let i = 0; i < (await cols.count()); i++) {
    expect(await cols.nth(i).locator('.event').count()).toBeLessThanOrEqual(4);
  }
  expect((await cal.boundingBox())!.height).toBeLessThan(800);
  const more = cal.locator('[data-testid^="more-"]').first();
  await expect(more).toBeVisible();
  await more.click();
  await expect(page).toHaveURL(/view=day/);
  await expect(cal.locator('.event')).toHaveCount(50);
  await cal.getByTestId('day-show-more').click();
  await expect.poll(() => cal.locator('.event').count()).toBeGreaterThan(50);
});

test('deals board columns are bounded, "more" pages every column to its end, filters narrow the counts', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(app.openUrl + '#/deals');
  const won = page.getByTestId('stage-won');
  await expect(won.locator('.deal').first()).toBeVisible({ timeout: 20_000 });
  expect(await won.locator('.deal').count()).toBe(30);
  expect((await page.getByTestId('board').boundingBox())!.height).toBeLessThan(768);
  // Past the old cap of 200 a column: 30 more each time.
  for (const n of [60, 90, 120, 150, 180, 210, 240]) {
    await won.getByTestId('more-won').click();
    await expect(won.locator('.deal')).toHaveCount(n);
  }
  const ids = await won.locator('.deal').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
  expect(new Set(ids).size).toBe(240);
  // The keyboard path: every card has a focusable "move to stage" control.
  await expect(won.locator('.deal').first().getByRole('combobox')).toBeVisible();

  // A filter narrows every column's count, and lives in the address.
  const count = async (stage: string) =>
    Number(
      (await page.getByTestId(`stage-${stage}`).locator('.column-head .badge').innerText()).replace(
        /\D/g,
        '',
      ),
    );
  const before = await count('won');
  const name = (await won.locator('.deal .meta a').first().innerText()).split(' ').at(-1)!;
  await page.getByTestId('deal-search').fill(name);
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(name)}`));
  await expect.poll(() => count('won')).toBeLessThan(before);
  expect(await count('won')).toBeGreaterThan(0);
  for (const a of await won.locator('.deal .meta a').allInnerTexts()) expect(a).toContain(name);
  await page.getByTestId('deal-min').fill('5000');
  await expect(page).toHaveURL(/min=5000/);
  const amounts = async () =>
    (await won.locator('.deal .amount').allInnerTexts()).map((x) => Number(x.replace(/[^\d.]/g, '')));
  await expect.poll(async () => (await amounts()).every((x) => x >= 5000)).toBe(true);
  await page.screenshot({ path: `${SCREENS}/crm-scale-deals-filtered.png` });
  // Reloading the page keeps the filter.
  await page.reload();
  await expect(page.getByTestId('deal-search')).toHaveValue(name);
  await page.getByTestId('deal-clear').click();
  await expect.poll(() => count('won')).toBe(before);
});
