/**
 * Forms and input in the built app (browser mode, Chromium, 1366×768): the customer form shows
 * every field's error at once (on save, and as a field is left); a task made with the one
 * date-time picker (calendar by keyboard, 24-hour time) is saved as the right instant in
 * Asia/Jerusalem and shown DD/MM/YYYY HH:mm; the open picker is axe-clean. The screenshots go to
 * test-results/screens/forms-*.png.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { callApi, screenshot, startApp, type RunningApp } from './harness';

test.use({ viewport: { width: 1366, height: 768 }, timezoneId: 'America/New_York', locale: 'en-US' });

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
});

/** The Israeli calendar date `days` from today: [DD, MM, YYYY]. */
const israelDay = (days: number): [string, string, string] => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Jerusalem',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
    })
      .formatToParts(Date.now() + days * 86_400_000)
      .map((x) => [x.type, x.value]),
  );
  return [p.day!, p.month!, p.year!];
};
/** The instant of an Israeli wall-clock time (Israel is UTC+2 or +3). */
const israelInstant = (dd: string, mm: string, yyyy: string, hhmm: string): number => {
  const [h, mi] = hhmm.split(':').map(Number);
  const wall = Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd), h!, mi!);
  for (const off of [2, 3]) {
    const ms = wall - off * 3_600_000;
    const back = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Jerusalem',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(ms);
    if (back === hhmm) return ms;
  }
  throw new Error('no such time');
};

test('the customer form shows every field’s error at once, and as a field is left', async ({ page }) => {
  await page.goto(app.openUrl);
  await page.goto(`${app.localUrl}/#/customers`);
  await page.getByTestId('add-customer').click();
  const form = page.getByTestId('customer-form');

  // Leaving a field checks it (before any save).
  await form.getByLabel('אימייל').fill('noa@');
  await form.getByLabel('אימייל').blur();
  await expect(form.locator('#cf-email-error')).toHaveText(/האימייל אינה תקינה/);
  // A field not visited yet is not flagged.
  await expect(form.locator('#cf-phone-error')).toHaveCount(0);

  // Save with no name, a bad e-mail and an impossible phone: all three at once.
  await form.getByLabel('טלפון').fill('050-12');
  await form.getByRole('button', { name: 'הוספת לקוח' }).click();
  await expect(form.locator('#cf-name-error')).toHaveText('שדה חובה');
  await expect(form.locator('#cf-email-error')).toHaveText(/האימייל אינה תקינה/);
  await expect(form.locator('#cf-phone-error')).toHaveText(/מספר נייד .* 10 ספרות/);
  await expect(form.getByLabel('שם מלא')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert')).toHaveText('יש לתקן את השדות המסומנים');
  await screenshot(page, 'forms-customer-errors.png');
  expect((await callApi<{ total: number }>(app, 'crm.customers.list', {})).total).toBe(0);

  // Fixed: saved, the phone shown the Israeli way; a 1-800 number too.
  await form.getByLabel('שם מלא').fill('נועה ברגר');
  await form.getByLabel('אימייל').fill('noa@example.co.il');
  await form.getByLabel('טלפון').fill('1-800-123-456');
  await expect(form.locator('#cf-name-error')).toHaveCount(0);
  await form.getByRole('button', { name: 'הוספת לקוח' }).click();
  await expect(page.getByTestId('customer-phone')).toHaveText('1-800-123-456');
});

test('a task made with the picker is saved as the Israeli instant and shown DD/MM/YYYY HH:mm', async ({
  page,
}) => {
  const c = await callApi<{ id: number }>(app, 'crm.customers.create', {
    name: 'אבי כהן',
    phone: '03-123-4567',
  });
  await page.goto(app.openUrl);
  await page.goto(`${app.localUrl}/#/customers/${c.id}`);
  await expect(page.getByTestId('customer-phone')).toHaveText('03-123-4567');
  await page.getByTestId('action-task').click();
  const dlg = page.getByTestId('task-dialog');
  await dlg.getByLabel('כותרת').fill('להתקשר לאבי');

  // The calendar by keyboard: open it, one week on (ArrowDown), Enter.
  await dlg.getByTestId('td-when-calendar-button').click();
  const calendar = dlg.getByTestId('td-when-calendar');
  await expect(calendar).toBeVisible();
  await expect(calendar.locator('[data-today] button')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await screenshot(page, 'forms-picker.png');
  const axe = await new AxeBuilder({ page })
    .include('[data-testid="task-dialog"]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  // The whole month is in the window (not cut off by the dialog's scrolling box).
  const box = (await calendar.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(768);
  // Esc closes the calendar only; the button opens it again from the keyboard.
  await page.keyboard.press('Escape');
  await expect(calendar).toBeHidden();
  await expect(dlg).toBeVisible();
  await expect(dlg.getByTestId('td-when-calendar-button')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(calendar.locator('[data-today] button')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(calendar).toBeHidden();
  const [dd, mm, yyyy] = israelDay(7);
  const date = dlg.getByRole('textbox', { name: 'תאריך ושעה', exact: true });
  await expect(date).toHaveValue(`${dd}/${mm}/${yyyy}`);
  // The time, 24-hour, whatever the browser's locale (en-US here).
  const time = dlg.getByRole('textbox', { name: 'תאריך ושעה — שעה' });
  await expect(time).toHaveValue('09:00');
  await time.fill('14:30');
  await screenshot(page, 'forms-task-dialog.png');
  await dlg.getByRole('button', { name: 'שמירה' }).click();
  await expect(dlg).toBeHidden();

  const tasks = await callApi<{ items: Array<{ title: string; dueAt: number }> }>(app, 'crm.tasks.list', {
    customerId: c.id,
  });
  const saved = tasks.items.find((t) => t.title === 'להתקשר לאבי')!;
  expect(saved.dueAt).toBe(israelInstant(dd, mm, yyyy, '14:30'));
  await expect(page.getByTestId('customer-tasks')).toContainText(`${dd}/${mm}/${yyyy} 14:30`);

  // Typed in one go in the date field; a bad date is named on its field and nothing is saved.
  await page.getByTestId('action-task').click();
  await dlg.getByLabel('כותרת').fill('פגישה');
  await date.fill('31/02/2026');
  await dlg.getByRole('button', { name: 'שמירה' }).click();
  await expect(dlg.locator('#td-when-error')).toHaveText(/תאריך כמו 31\/12\/2026/);
  await date.fill('03/12/2026 08:05');
  await date.blur();
  await expect(date).toHaveValue('03/12/2026');
  await expect(time).toHaveValue('08:05');
  await dlg.getByRole('button', { name: 'שמירה' }).click();
  await expect(dlg).toBeHidden();
  const again = await callApi<{ items: Array<{ title: string; dueAt: number }> }>(app, 'crm.tasks.list', {
    customerId: c.id,
  });
  expect(again.items.find((t) => t.title === 'פגישה')!.dueAt).toBe(Date.parse('2026-12-03T06:05:00Z'));
});

test('the business profile shows every field’s error at once, and saves nothing until fixed', async ({
  page,
}) => {
  await page.goto(`${app.openUrl}#/settings`);
  const form = page.getByTestId('profile-form');
  await form.locator('#f-vatId').fill('12');
  await form.locator('#f-email').fill('office@');
  await form.locator('#f-phone').fill('050-12');
  await form.getByRole('button', { name: 'שמירה' }).click();
  await expect(form.locator('#f-vatId-error')).toHaveText('מספר עוסק צריך להכיל 9 ספרות');
  await expect(form.locator('#f-email-error')).toBeVisible();
  await expect(form.locator('#f-phone-error')).toBeVisible();
  expect((await callApi<{ vatId: string }>(app, 'business.get')).vatId).toBe('');
  await form.locator('#f-vatId').fill('512345678');
  await form.locator('#f-email').fill('office@example.co.il');
  await form.locator('#f-phone').fill('03-123-4567');
  await form.getByRole('button', { name: 'שמירה' }).click();
  await expect(form.getByText('נשמר')).toBeVisible();
  expect((await callApi<{ phone: string }>(app, 'business.get')).phone).toBe('+97231234567');
});
