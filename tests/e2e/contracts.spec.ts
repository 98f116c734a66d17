/**
 * Contracts, the owner's side, in the built app (browser mode, Chromium): a new contract from the
 * customer page's action bar (template, deal, the blanks to fill, the live preview), the draft's
 * page (fill a blank later, a signing link, sent by WhatsApp), the list's search, and the template
 * editor (placeholders inserted at the cursor, the live preview, a typo named, a new version that
 * leaves the existing contract's text alone). Screenshots: test-results/screens/contracts-*.png.
 */
import { expect, test } from '@playwright/test';
import { callApi, screenshot, startApp, type RunningApp } from './harness';

test.use({ viewport: { width: 1366, height: 768 } });

let app: RunningApp;

const api = <T = any>(method: string, input: unknown) => callApi<T>(app, method, input);
const shot = screenshot;

test.beforeAll(async () => {
  app = await startApp({ env: { PUBLIC_HOST: 'sign.agentlocator.test' } });
  await api('business.updateProfile', {
    name: 'סטודיו נועה',
    vatId: '514567893',
    phone: '04-8123456',
    address: 'הרצל 1',
    city: 'חיפה',
  });
});
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
});

test('a contract from the customer page: template, deal, blanks, preview; then a link sent by WhatsApp', async ({
  page,
}) => {
  const customer = await api<{ id: number }>('crm.customers.create', {
    name: 'דנה כהן',
    phone: '054-5550101',
    address: 'הגפן 3, חיפה',
  });
  await api('crm.deals.create', {
    customerId: customer.id,
    title: 'עיצוב פנים לסלון',
    amountAgorot: 1_250_000,
  });

  await page.goto(`${app.openUrl}#/customers/${customer.id}`);
  await page.getByTestId('action-signature').click();
  const form = page.getByTestId('contract-new');
  await expect(form.getByTestId('picked-customer')).toHaveText('דנה כהן');
  await form.getByTestId('new-template').selectOption({ label: 'הסכם למתן שירותים' });
  await form.getByTestId('new-deal').selectOption({ index: 1 });
  const preview = form.getByTestId('new-preview-text');
  await expect(preview).toContainText('דנה כהן');
  await expect(preview).toContainText('עיצוב פנים לסלון');
  await expect(preview).toContainText('סטודיו נועה');
  // The customer has no ID number on file: the template's blank is offered, and typing fills the preview.
  await expect(form.getByTestId('blank-customer.idNumber')).toBeVisible();
  await expect(preview.locator('.contract-blank').first()).toBeVisible();
  await form.getByTestId('blank-customer.idNumber').fill('000000018');
  await expect(preview).toContainText('000000018');
  await shot(page, 'contracts-new.png');
  await form.getByTestId('new-create').click();

  await expect(page.getByTestId('contract-page')).toBeVisible();
  await expect(page.getByTestId('contract-status')).toHaveText('טיוטה');
  await expect(page.getByTestId('contract-text')).toContainText('000000018');
  const id = Number(page.url().split('/contracts/')[1]);
  const detail = await api<{ number: string; missing: string[] }>('contracts.get', { id });
  expect(detail.number).toMatch(/^AGR-\d{4}-0001$/);
  expect(detail.missing).toEqual([]);

  await page.getByTestId('send-link').click();
  await expect(page.getByTestId('sign-link-url')).toContainText('https://sign.agentlocator.test/sign/');
  await expect(page.getByTestId('contract-status')).toHaveText('נשלח');
  await page.getByTestId('send-whatsapp').click();
  await expect(page.getByTestId('whatsapp-sent')).toHaveText('ההודעה עם קישור החתימה נשלחה ללקוח בוואטסאפ.');
  const link = (await page.getByTestId('sign-link-url').textContent())!;
  const messages = await api<{ items: Array<{ text: string }> }>('whatsapp.messages', {
    customerId: customer.id,
  });
  expect(messages.items.some((m) => m.text.includes(link))).toBe(true);
  await shot(page, 'contracts-sent.png');

  // The list finds it by customer name and by number; a word that is nowhere finds nothing.
  await page.goto(`${app.openUrl}#/contracts`);
  await page.getByTestId('contract-search').fill('דנה');
  await expect(page.getByTestId('contract-row')).toHaveCount(1);
  await page.getByTestId('contract-search').fill('אין-כזה');
  await expect(page.getByTestId('contract-row')).toHaveCount(0);
  await expect(page.getByText('לא נמצאו חוזים')).toBeVisible();
});

test('a draft whose blanks were left is completed on its page', async ({ page }) => {
  const customer = await api<{ id: number }>('crm.customers.create', {
    name: 'אבי לוי',
    phone: '054-5550102',
  });
  const templates = await api<Array<{ id: number; name: string }>>('contracts.templates.list', {});
  const c = await api<{ id: number; missing: string[] }>('contracts.create', {
    customerId: customer.id,
    templateId: templates.find((x) => x.name === 'הזמנת עבודה')!.id,
  });
  expect(c.missing.length).toBeGreaterThan(0);
  await page.goto(`${app.openUrl}#/contracts/${c.id}`);
  await expect(page.getByTestId('contract-missing')).toBeVisible();
  await expect(page.getByTestId('send-link')).toBeDisabled();
  await page.getByTestId('fill-blanks').click();
  const fill = page.getByTestId('fill-form');
  for (const input of await fill.locator('input').all()) await input.fill('פרט שהושלם');
  await fill.getByTestId('fill-save').click();
  await expect(page.getByTestId('contract-missing')).toHaveCount(0);
  await expect(page.getByTestId('send-link')).toBeEnabled();
  await expect(page.getByTestId('contract-text')).toContainText('פרט שהושלם');
});

test('the template editor: insert a placeholder, live preview, a typo named, a new version', async ({
  page,
}) => {
  const customer = await api<{ id: number }>('crm.customers.create', { name: 'רותם', phone: '054-5550103' });
  const templates = await api<Array<{ id: number; name: string; version: number }>>(
    'contracts.templates.list',
    {},
  );
  const quote = templates.find((x) => x.name === 'אישור הצעת מחיר')!;
  const before = await api<{ id: number; body: string }>('contracts.create', {
    customerId: customer.id,
    templateId: quote.id,
  });

  await page.goto(`${app.openUrl}#/contracts`);
  await page.getByTestId('contract-templates').click();
  await page.getByTestId('template-item').filter({ hasText: 'אישור הצעת מחיר' }).click();
  const body = page.getByTestId('template-body');
  await expect(body).not.toBeEmpty();
  // Placeholders read by their Hebrew names, never as code.
  await expect(body).toHaveValue(/\[שם הלקוח\]/);
  await expect(body).not.toHaveValue(/\{\{/);
  await body.press('Control+End');
  await body.pressSequentially('\n\nבתוקף מיום ');
  await page.getByTestId('insert-date.today').click();
  await body.pressSequentially(' ועד {{date.tomorow}}.');
  const preview = page.getByTestId('template-preview-text');
  await expect(preview).toContainText('בתוקף מיום');
  await expect(preview).not.toContainText('{{date.today}}');
  await expect(page.getByTestId('template-unknown')).toContainText('{{date.tomorow}}');
  await shot(page, 'contracts-template-editor.png');
  await page.getByTestId('template-save').click();
  await expect(page.getByTestId('template-saved')).toHaveText(`נשמר. גרסה ${quote.version + 1}`);
  const after = await api<Array<{ name: string; version: number; body: string }>>(
    'contracts.templates.list',
    {},
  );
  const saved = after.find((x) => x.name === 'אישור הצעת מחיר')!;
  expect(saved).toMatchObject({ version: quote.version + 1 });
  expect(saved.body).toContain('בתוקף מיום {{date.today}} ועד {{date.tomorow}}.');
  // The contract made from the earlier version keeps its text.
  expect((await api<{ body: string }>('contracts.get', { id: before.id })).body).toBe(before.body);
});
