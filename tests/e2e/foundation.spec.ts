import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENS, startApp, type RunningApp } from './harness';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app.stop();
  app.cleanup();
});

test('the app is Hebrew, right-to-left, with the Assistant font, and every page opens', async ({ page }) => {
  await page.goto(app.openUrl);
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'he');
  await expect(page.getByRole('navigation', { name: 'ניווט ראשי' })).toBeVisible();
  // The token is taken out of the address bar once kept.
  expect(page.url()).not.toContain('token=');

  const fontLoaded = await page.evaluate(async () => {
    await document.fonts.ready;
    return document.fonts.check('16px Assistant', 'שלום');
  });
  expect(fontLoaded).toBe(true);
  const family = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  expect(family).toContain('Assistant');
  // Hebrew text flows right to left: the navigation sits on the right edge.
  const nav = await page.getByRole('navigation', { name: 'ניווט ראשי' }).boundingBox();
  expect(nav!.x).toBeGreaterThan(600);

  const links = page.getByRole('navigation', { name: 'ניווט ראשי' }).getByRole('link');
  const count = await links.count();
  expect(count).toBeGreaterThanOrEqual(10);
  for (let i = 0; i < count; i++) {
    const link = links.nth(i);
    const label = (await link.innerText()).trim();
    await link.click();
    await expect(page.locator('h1').first(), label).toBeVisible();
    await expect(page.getByText('משהו השתבש')).toHaveCount(0);
  }
  await page.goto(`${app.localUrl}/#/no/such/page`);
  await expect(page.getByTestId('not-found')).toBeVisible();
  await expect(page.getByText('העמוד לא נמצא')).toBeVisible();
  await page.screenshot({ path: path.join(SCREENS, 'not-found.png') });
});

test('without its link, or with an old one, the app shows one Hebrew page that says how to open it', async ({
  page,
}) => {
  const refused: string[] = [];
  page.on('response', (r) => r.status() === 401 && refused.push(r.url()));

  // No token at all: the page says where the link is, and asks the server nothing.
  await page.goto(`${app.localUrl}/`);
  const gate = page.getByTestId('access-page');
  await expect(gate).toBeVisible();
  await expect(gate.getByRole('heading', { level: 1 })).toHaveText('פתחו את AgentLocator מהקישור שלו');
  await expect(gate).toContainText('פתחו את האפליקציה מהקישור שהודפס');
  await expect(page.getByRole('navigation', { name: 'ניווט ראשי' })).toHaveCount(0);
  await expect(page.getByText('משהו השתבש')).toHaveCount(0);
  expect(refused).toEqual([]);

  // The link of an earlier launch: the server refuses it, and the owner sees one page, not an
  // error box per request; the new link works at once.
  await page.goto(`${app.localUrl}/?token=from-an-earlier-launch#/customers`);
  await expect(gate.getByRole('heading', { level: 1 })).toHaveText('הקישור ישן');
  await expect(gate).toContainText('הפעילו מחדש את AgentLocator והשתמשו בקישור החדש');
  await expect(page.getByTestId('access-page')).toHaveCount(1);
  await expect(page.getByRole('alert')).toHaveCount(1);
  await expect(page.getByText('משהו השתבש')).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'ניווט ראשי' })).toHaveCount(0);
  expect(refused.length).toBeGreaterThan(0);
  expect(page.url()).not.toContain('token=');
  await page.screenshot({ path: path.join(SCREENS, 'old-link.png') });

  await page.goto(app.openUrl);
  await expect(page.getByRole('navigation', { name: 'ניווט ראשי' })).toBeVisible();
  await expect(page.getByTestId('access-page')).toHaveCount(0);
});

test('the business profile is saved and shown again after a restart', async ({ page }) => {
  await page.goto(`${app.openUrl}#/settings`);
  const form = page.getByTestId('profile-form');
  await form.getByLabel('שם העסק', { exact: true }).fill('מספרת שושנה');
  await form.getByLabel('מספר עוסק מורשה / ח.פ').fill('12');
  await form.getByRole('button', { name: 'שמירה' }).click();
  await expect(form.getByText('מספר עוסק צריך להכיל 9 ספרות')).toBeVisible();

  await form.getByLabel('מספר עוסק מורשה / ח.פ').fill('512345678');
  await form.getByLabel('עיר').fill('חיפה');
  await form.getByRole('button', { name: 'שמירה' }).click();
  await expect(form.getByText('נשמר')).toBeVisible();
  await page.screenshot({ path: path.join(SCREENS, 'settings.png'), fullPage: false });

  app = await app.restart();
  await page.goto(`${app.openUrl}#/settings`);
  await expect(page.getByTestId('profile-form').getByLabel('שם העסק', { exact: true })).toHaveValue(
    'מספרת שושנה',
  );
  await expect(page.getByTestId('profile-form').getByLabel('עיר')).toHaveValue('חיפה');
  await page.goto(`${app.openUrl}#/`);
  await expect(page.getByRole('heading', { name: 'שלום, מספרת שושנה' })).toBeVisible();
  await expect(page.getByTestId('readiness')).toContainText('מסד נתונים');
  await page.screenshot({ path: path.join(SCREENS, 'dashboard.png') });
});

test('SIGTERM stops the app cleanly: servers closed, database checkpointed', async () => {
  const other = await startApp();
  expect(await other.stop()).toBe(0);
  const logged = readFileSync(path.join(other.dataDir, 'logs', 'agentlocator.log'), 'utf8');
  expect(logged).toContain('"msg":"stopped"');
  // A clean close checkpoints the WAL into the database file.
  expect(existsSync(path.join(other.dataDir, 'agentlocator.db-wal'))).toBe(false);
  other.cleanup();
});
