/**
 * Words and steps an owner understands (browser mode, Chromium, 1366×768).
 * - Importing customers: the preview shows the totals, the first rows and the column mapping
 *   before anything is written; the owner maps an unrecognized column to e-mail, asks to update
 *   existing customers, sees the totals change and imports.
 * - The keys in Settings: each named in Hebrew first, the service's English term after it, and
 *   where to find it.
 * Screenshots: test-results/screens/import-preview.png, settings-keys.png.
 */
import { expect, test } from '@playwright/test';
import { callApi, screenshot, startApp, type RunningApp } from './harness';

test.use({ viewport: { width: 1366, height: 768 } });
let app: RunningApp;

test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
});

test('import: preview, adjust a column, update existing, import', async ({ page }) => {
  const dana = await callApi<{ id: number }>(app, 'crm.customers.create', {
    name: 'דנה ותיקה',
    phone: '050-6660001',
    email: 'dana.old@example.com',
  });
  await page.goto(`${app.openUrl}#/customers`);
  await page.getByRole('button', { name: 'ייבוא CSV' }).click();
  const csv =
    'Full Name,Mobile,Contact\r\n' +
    'דנה ותיקה,050-6660001,dana.new@example.com\r\n' +
    'גיל חדש,052-6660002,gil@example.com\r\n' +
    'נטע חדשה,052-6660003,\r\n' +
    'טלפון שבור,12,\r\n';
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'אנשי קשר.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });

  const preview = page.getByTestId('import-preview');
  await expect(preview).toBeVisible();
  await expect(page.getByTestId('import-count-create')).toHaveText('2');
  await expect(page.getByTestId('import-count-update')).toHaveText('0');
  await expect(page.getByTestId('import-count-skip')).toHaveText('2');
  await expect(page.getByTestId('import-sample').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('import-sample').locator('tbody tr').first()).toContainText('לא ייובא');
  await expect(page.getByTestId('import-skip-reasons')).toContainText('שורה אחת: כבר קיים לקוח');
  // "Contact" is not recognized: ignored until the owner maps it.
  await expect(page.getByTestId('import-map-2')).toHaveValue('');
  await expect(page.getByTestId('import-map-1')).toHaveValue('mobile');

  await page.getByTestId('import-map-2').selectOption({ label: 'אימייל' });
  await expect(page.getByTestId('import-sample')).toContainText('gil@example.com');
  await page.getByTestId('import-update').check();
  await expect(page.getByTestId('import-count-update')).toHaveText('1');
  await expect(page.getByTestId('import-count-create')).toHaveText('2');
  await expect(page.getByTestId('import-count-skip')).toHaveText('1');
  await expect(page.getByTestId('import-sample').locator('tbody tr').first()).toContainText(
    'עדכון לקוח קיים',
  );
  await screenshot(page, 'import-preview.png');

  await page.getByRole('button', { name: 'ייבוא 3 לקוחות' }).click();
  await expect(page.getByTestId('import-result')).toHaveText(
    'נוספו 2 לקוחות חדשים · לקוח קיים אחד עודכן · שורה אחת לא יובאה',
  );
  const updated = await callApi<{ email: string }>(app, 'crm.customers.get', { id: dana.id });
  expect(updated.email).toBe('dana.new@example.com');
  const gil = await callApi<{ items: Array<{ email: string }> }>(app, 'crm.customers.list', {
    q: '0526660002',
  });
  expect(gil.items[0]!.email).toBe('gil@example.com');
});

test('settings keys: a Hebrew name first, the English term as a hint, where to find it', async ({ page }) => {
  await page.goto(`${app.openUrl}#/settings?section=keys`);
  const keys = page.getByTestId('keys');
  await expect(keys).toBeVisible();
  const sid = keys.getByTestId('key-label-twilio_account_sid');
  await expect(sid.locator('.key-name')).toHaveText(/^מזהה החשבון ב־.Twilio. .Account SID.$/);
  await expect(sid.locator('.key-where-line')).toHaveText(/^במסוף .Twilio., בעמוד הראשי של החשבון/);
  await expect(keys.getByTestId('key-label-ngrok_authtoken')).toContainText('מפתח החיבור של');
  await expect(keys.getByRole('textbox', { name: /סיסמת הגישה ב־.Twilio/ })).toBeVisible();
  await keys.scrollIntoViewIfNeeded();
  await screenshot(page, 'settings-keys.png');
});

test('import: a file whose headers nothing recognizes is shown to map, then imported', async ({ page }) => {
  await page.goto(`${app.openUrl}#/customers`);
  await page.getByRole('button', { name: 'ייבוא CSV' }).click();
  const csv = 'איש קשר,מספר\r\nעומר מיפוי,054-7770001\r\n';
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'רשימה.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await expect(page.getByTestId('import-needs-mapping')).toBeVisible();
  await expect(page.getByTestId('import-commit')).toBeDisabled();
  await page.getByTestId('import-map-0').selectOption({ label: 'שם' });
  await page.getByTestId('import-map-1').selectOption({ label: 'טלפון' });
  await expect(page.getByTestId('import-needs-mapping')).toBeHidden();
  await expect(page.getByTestId('import-count-create')).toHaveText('1');
  await page.getByRole('button', { name: 'ייבוא לקוח אחד' }).click();
  await expect(page.getByTestId('import-result')).toHaveText('נוסף לקוח חדש אחד');
  const found = await callApi<{ items: Array<{ name: string }> }>(app, 'crm.customers.list', {
    q: '0547770001',
  });
  expect(found.items[0]!.name).toBe('עומר מיפוי');
});
