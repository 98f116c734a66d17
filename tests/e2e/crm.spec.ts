/**
 * CRM in the built app (browser mode, Chromium): a customer found by phone in two formats, a task
 * with a reminder in the calendar and the timeline, a deal dragged across stages, a CSV with two
 * bad rows, Ctrl+K; screenshots of the list, customer page, pipeline, calendar and reports.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { closeDb, openDb } from '../../src-main/db/client';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { ROOT, SCREENS, startApp, type RunningApp } from './harness';

let app: RunningApp;
let twilio: FakeTwilio;

test.beforeAll(async () => {
  // A small demo business so the screens look like a working office.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-e2e-crm-'));
  const db = openDb({
    file: path.join(dataDir, 'agentlocator.db'),
    migrationsDir: path.join(ROOT, 'src-main/db/migrations'),
  });
  generateDemoData(db, { customers: 400, seed: 11 });
  closeDb(db);
  twilio = await startFakeTwilio();
  app = await startApp({ dataDir, env: { TWILIO_API_BASE_URL: twilio.url } });
  appDataDir = dataDir;
});
let appDataDir: string;
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
  await twilio?.close();
});

async function shot(page: Page, name: string) {
  const file = path.join(SCREENS, name);
  await page.screenshot({ path: file, fullPage: false });
}

async function api<T = unknown>(method: string, input: unknown): Promise<T> {
  const res = await fetch(`${app.localUrl}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { data: T };
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(body)}`);
  return body.data;
}

/** 'YYYY-MM-DD' in Israel, `days` from today. */
const israelDate = (days: number) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Jerusalem',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(Date.now() + days * 86_400_000);

test('customers, customer page, task + reminder, calendar, timeline, pipeline, import, search, reports', async ({
  page,
}) => {
  await page.goto(app.openUrl);
  await expect(page.getByTestId('crm-dashboard')).toBeVisible();
  await shot(page, 'crm-dashboard.png');

  // Customers list with demo data.
  await page.goto(`${app.localUrl}/#/customers`);
  await expect(page.getByTestId('customer-table')).toBeVisible();
  await expect(page.getByTestId('customer-total')).toContainText('400');
  await shot(page, 'crm-customers.png');

  // Create a customer; the phone is typed the Israeli way.
  await page.getByTestId('add-customer').click();
  const form = page.getByTestId('customer-form');
  await form.getByLabel('שם מלא').fill('נועה ברגר');
  await form.getByLabel('טלפון').fill('050-1234567');
  await form.getByLabel('אימייל').fill('noa.berger@example.co.il');
  await form.getByLabel('תגיות').fill('VIP, חדש');
  await form.getByRole('button', { name: 'הוספת לקוח' }).click();
  await expect(page.getByTestId('customer-name')).toContainText('נועה ברגר');
  await expect(page.getByTestId('customer-phone')).toHaveText('050-123-4567');

  // Find it by phone in both formats.
  for (const typed of ['050-1234567', '+972501234567']) {
    await page.goto(`${app.localUrl}/#/customers`);
    await page.getByTestId('customer-search').fill(typed);
    await expect(page.getByTestId('customer-total')).toHaveText('לקוח אחד');
    await expect(page.getByTestId('customer-table').locator('tbody tr')).toHaveCount(1);
    await expect(page.getByTestId('customer-table')).toContainText('נועה ברגר');
  }
  await page.getByTestId('customer-table').locator('tbody tr').first().click();
  await expect(page.getByTestId('customer-name')).toContainText('נועה ברגר');
  const customerUrl = page.url();
  const customerId = Number(customerUrl.split('/customers/')[1]);

  // Every flow of the action bar is built (honest.spec.ts): none is marked "בקרוב".
  await expect(page.getByTestId('action-signature')).toBeEnabled();
  await expect(page.locator('[data-soon]')).toHaveCount(0);

  // Click-to-call: without Twilio keys the dialog says what is missing and links to Settings.
  await page.getByTestId('action-call').click();
  const call = page.getByTestId('call-dialog');
  await expect(call.getByTestId('dial-problem')).toHaveAttribute('data-code', 'twilio_not_configured');
  await expect(call.getByRole('link', { name: 'להגדרות' })).toHaveAttribute('href', '#/settings');
  await shot(page, 'click-to-call-no-keys.png');
  await call.getByRole('button', { name: 'סגירה' }).click();
  // Keys, the business number, the owner's phone and a public address: both ways are offered.
  await api('secrets.set', { name: 'twilio_account_sid', value: twilio.accountSid });
  await api('secrets.set', { name: 'twilio_auth_token', value: twilio.authToken });
  await api('business.updateProfile', { ownerPhone: '052-1112222' });
  await api('tunnel.configure', { ownAddress: 'shop.example.co.il' });
  const side = openDb({
    file: path.join(appDataDir, 'agentlocator.db'),
    migrationsDir: path.join(ROOT, 'src-main/db/migrations'),
  });
  side.$client
    .prepare("insert into settings (key, value, updated_at) values ('twilio_number', ?, ?)")
    .run(JSON.stringify('+97233760000'), Date.now());
  closeDb(side);
  await page.getByTestId('action-call').click();
  await expect(call.getByTestId('dial-bridge')).toBeEnabled();
  await expect(call).toContainText('הטלפון שלך יצלצל קודם, ואז נחייג ללקוח');
  await expect(call.getByTestId('dial-agent')).toBeEnabled();
  await shot(page, 'click-to-call.png');
  await call.getByTestId('dial-bridge').click();
  await expect(call.getByTestId('dial-placed')).toContainText('מתקשר…');
  await expect(page.getByTestId('timeline')).toContainText('שיחה יוצאת · דרך הטלפון שלך');
  expect(twilio.callCreates.map((c) => [c.params.To, c.params.From])).toEqual([
    ['+972521112222', '+97233760000'],
  ]);
  await shot(page, 'click-to-call-placed.png');
  await call.getByRole('button', { name: 'סגירה' }).click();

  // Add an appointment for tomorrow 10:00 with a reminder 15 minutes before.
  await page.getByTestId('action-task').click();
  const dlg = page.getByTestId('task-dialog');
  await dlg.getByLabel('סוג').selectOption('appointment');
  await dlg.getByLabel('כותרת').fill('התקנת מזגן בסלון');
  // The one date-time picker: typed the Israeli way, date and 24-hour time in one go.
  const [y, m, d] = israelDate(1).split('-');
  await dlg.getByRole('textbox', { name: 'תחילת הפגישה', exact: true }).fill(`${d}/${m}/${y} 10:00`);
  await dlg.getByLabel('תזכורת').selectOption('15');
  await dlg.getByRole('button', { name: 'שמירה' }).click();
  await expect(dlg).toBeHidden();
  await expect(page.getByTestId('customer-tasks')).toContainText('התקנת מזגן בסלון');
  await expect(page.getByTestId('timeline')).toContainText('התקנת מזגן בסלון');
  const tasks = await api<{ items: Array<{ title: string; startsAt: number; reminderAt: number }> }>(
    'crm.tasks.list',
    { customerId },
  );
  expect(tasks.items[0]!.reminderAt).toBe(tasks.items[0]!.startsAt - 15 * 60_000);

  // A due reminder shows up live (the desktop notification goes through the notifier port).
  await api('crm.tasks.create', {
    customerId,
    title: 'לשלוח הצעת מחיר לנועה',
    dueAt: Date.now() + 3_600_000,
    reminderAt: Date.now() + 500,
  });
  await expect(page.getByTestId('reminder-toast')).toContainText('לשלוח הצעת מחיר לנועה', {
    timeout: 15_000,
  });
  await page.getByTestId('reminder-toast').getByRole('button', { name: 'סגירה' }).click();
  await expect(page.getByTestId('reminder-toast')).toBeHidden();

  // A deal for her, then onto the board.
  await page.getByRole('button', { name: 'עסקה חדשה' }).click();
  const dd = page.getByTestId('deal-dialog');
  await dd.getByLabel('שם העסקה').fill('מיני מרכזי — דירת 5 חדרים');
  await dd.getByLabel('סכום (₪)').fill('14500');
  await dd.getByRole('button', { name: 'שמירה' }).click();
  await expect(dd).toBeHidden();
  await page.mouse.move(0, 0);
  await shot(page, 'crm-customer-new.png');

  // A long-standing customer: calls, WhatsApp, invoices and payments on one timeline.
  const regulars = await api<{ items: Array<{ id: number }> }>('crm.customers.list', {
    status: 'customer',
    sort: 'lastContact',
    limit: 1,
  });
  await page.goto(`${app.localUrl}/#/customers/${regulars.items[0]!.id}`);
  await expect(page.getByTestId('timeline')).toBeVisible();
  await shot(page, 'crm-customer.png');

  // The calendar shows the appointment.
  await page.goto(`${app.localUrl}/#/tasks?view=week&at=${Date.now() + 86_400_000}`);
  await expect(page.getByTestId('calendar')).toContainText('התקנת מזגן בסלון');
  await shot(page, 'crm-calendar.png');

  // Drag the deal from "new" to "proposal".
  await page.goto(`${app.localUrl}/#/deals`);
  const card = page.getByTestId('stage-new').locator('article', { hasText: 'מיני מרכזי — דירת 5 חדרים' });
  await expect(card).toBeVisible();
  // Dropped onto the first card of "proposal": it lands on top of that column.
  await card.dragTo(page.getByTestId('stage-proposal').locator('article').first());
  await expect(page.getByTestId('stage-proposal').locator('article').first()).toContainText(
    'מיני מרכזי — דירת 5 חדרים',
  );
  await expect(page.getByTestId('stage-new')).not.toContainText('מיני מרכזי — דירת 5 חדרים');
  const board = await api<{ stages: Array<{ stage: string; deals: Array<{ title: string }> }> }>(
    'crm.deals.board',
    { customerId },
  );
  expect(board.stages.find((s) => s.stage === 'proposal')!.deals.map((d) => d.title)).toContain(
    'מיני מרכזי — דירת 5 חדרים',
  );
  await shot(page, 'crm-pipeline.png');

  // Import a CSV (Excel-style, BOM, Hebrew headers) with two bad rows.
  await page.goto(`${app.localUrl}/#/customers`);
  await page.getByRole('button', { name: 'ייבוא CSV' }).click();
  const csv =
    '\uFEFFשם,טלפון,אימייל,סטטוס,תגיות\r\n' +
    'אורן שלו,052-8001001,oren@example.com,לקוח,"VIP, צפון"\r\n' +
    'מאיה רז,054-8001002,,ליד,\r\n' +
    'טלפון שבור,12345,,,\r\n' +
    'דני אלון,053-8001003,not-an-email,,\r\n' +
    '"כהן, שירה",058-8001004,shira@example.com,,\r\n';
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'לקוחות.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await expect(page.getByTestId('import-count-create')).toHaveText('3');
  await expect(page.getByTestId('import-count-skip')).toHaveText('2');
  await expect(page.getByTestId('import-issues').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('import-issues')).toContainText('מספר טלפון לא תקין');
  await expect(page.getByTestId('import-issues')).toContainText('אימייל לא תקין');
  await shot(page, 'crm-import.png');
  await page.getByRole('button', { name: 'ייבוא 3 לקוחות' }).click();
  await expect(page.getByTestId('import-result')).toHaveText('נוספו 3 לקוחות חדשים · 2 שורות לא יובאו');
  await page.keyboard.press('Escape');
  await page.getByTestId('customer-search').fill('כהן, שירה');
  await expect(page.getByTestId('customer-table')).toContainText('058-800-1004');

  // Ctrl+K finds her from anywhere.
  await page.goto(`${app.localUrl}/#/reports`);
  await page.keyboard.press('Control+k');
  await page.getByTestId('global-search').getByRole('textbox').fill('ברגר');
  await expect(page.getByTestId('global-search')).toContainText('נועה ברגר');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(customerUrl);

  // Reports with charts.
  await page.goto(`${app.localUrl}/#/reports`);
  await page.getByRole('button', { name: '90 יום' }).click();
  await expect(page.getByTestId('reports').locator('svg.recharts-surface').first()).toBeVisible();
  // A tall window shows every chart in one picture.
  await page.setViewportSize({ width: 1360, height: 1640 });
  // Calls per day, latency, leads by source, revenue by month and open invoices.
  await expect(page.getByTestId('reports').locator('.recharts-wrapper')).toHaveCount(5);
  await shot(page, 'crm-reports.png');
  await page.setViewportSize({ width: 1360, height: 860 });

  // Feature flag: the CRM off hides it from the navigation; the API answers 403.
  await page.goto(`${app.localUrl}/#/settings`);
  await page.getByTestId('flag-crm_enabled').click();
  await expect(page.getByRole('navigation').getByText('לקוחות')).toBeHidden();
  const off = await fetch(`${app.localUrl}/api/crm.customers.list`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(off.status).toBe(403);
  expect(((await off.json()) as { error: string }).error).toBe('crm_disabled');
  await page.getByTestId('flag-crm_enabled').click();
  await expect(page.getByRole('navigation').getByText('לקוחות')).toBeVisible();
});
