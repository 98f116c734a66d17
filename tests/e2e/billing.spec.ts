/**
 * Billing in the built app (browser mode, Chromium, 1366×768): a tax invoice with two lines for a
 * customer from the customer page, every field's error at once, live totals from the server, the
 * draft's PDF preview, issuing with its confirmation, the number and the stored PDF, a payment
 * recorded against it → paid; the list, payments and unpaid views, Ctrl+K by number, the timeline,
 * Settings; then the documents list on 30,000 demo documents stays fast while paging and filtering.
 * Screenshots: test-results/screens/billing-*.png.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { closeDb, openDb } from '../../src-main/db/client';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { ROOT, SCREENS, startApp, type RunningApp } from './harness';

test.use({ viewport: { width: 1366, height: 768 } });

let app: RunningApp;

async function shot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(SCREENS, name), fullPage: false });
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

/** Text with bidi marks and spaces normalized (Intl puts U+200F around ₪). */
const plain = (s: string | null) =>
  (s ?? '').replace(/[\u200e\u200f\u2066-\u2069]/g, '').replace(/\s+/g, ' ');

test.describe('an invoice from start to paid', () => {
  test.beforeAll(async () => {
    app = await startApp();
    await api('business.updateProfile', {
      name: 'מיזוג הצפון',
      legalName: 'מיזוג הצפון בע״מ',
      vatId: '514000009',
      businessType: 'company',
      phone: '04-8123456',
      address: 'החרושת 12',
      city: 'חיפה',
      email: 'office@mizug-north.co.il',
    });
  });
  test.afterAll(async () => {
    await app?.stop();
    app?.cleanup();
  });

  test('create a tax invoice with two lines, see live totals, issue it, see its PDF, record a payment, see it paid', async ({
    page,
  }) => {
    const customer = await api<{ id: number }>('crm.customers.create', {
      name: 'דנה לוי',
      phone: '052-3456789',
      email: 'dana.levi@example.co.il',
      address: 'הרצל 5, חיפה',
    });

    // The navigation offers billing as working (no "בקרוב").
    await page.goto(app.openUrl);
    await expect(page.getByTestId('kpi-calls')).toBeVisible();
    await expect(page.getByTestId('nav-soon-invoices')).toHaveCount(0);
    await page.getByRole('navigation').getByRole('link', { name: 'חשבוניות ותשלומים' }).click();
    await expect(page.getByText('עדיין אין מסמכים')).toBeVisible();

    // From the customer page: "מסמך חדש" opens the form with her already picked.
    await page.goto(`${app.localUrl}/#/customers/${customer.id}`);
    await page.getByTestId('action-invoice').click();
    const form = page.getByTestId('document-form');
    await expect(form.getByTestId('picked-customer')).toHaveText('דנה לוי');
    await expect(form.getByLabel('סוג המסמך')).toHaveValue('tax_invoice');

    // Issuing an empty form shows every field's problem at once, not one at a time.
    await form.getByTestId('line-quantity').first().fill('');
    await page.getByTestId('issue').click();
    await expect(page.getByTestId('form-notice')).toHaveText('יש לתקן את השדות המסומנים');
    const firstLine = form.getByTestId('doc-line').first();
    await expect(firstLine).toContainText('כתבו תיאור');
    await expect(firstLine).toContainText('כמות חייבת להיות מספר גדול מאפס');
    await expect(firstLine).toContainText('שדה חובה');
    await expect(page.getByTestId('issue-confirm')).toHaveCount(0);
    await shot(page, 'billing-form-errors.png');

    // Two lines; the totals come from the server as they are typed (VAT 18%).
    await firstLine.getByTestId('line-description').fill('התקנת מזגן עילי');
    await firstLine.getByTestId('line-quantity').fill('2');
    await firstLine.getByTestId('line-unitPrice').fill('1,250');
    await expect(firstLine).not.toContainText('כתבו תיאור');
    await expect(form.getByTestId('total-grand')).toHaveText(/2,950/); // 2,500 + 450 VAT
    // The draft saves itself and its PDF preview (marked טיוטה, no number) appears.
    const preview = page.getByTestId('preview');
    await expect(preview).toHaveAttribute('data-sha256', /^[0-9a-f]{64}$/, { timeout: 20_000 });
    const firstPreview = await preview.getAttribute('data-sha256');
    await form.getByTestId('add-line').click();
    const second = form.getByTestId('doc-line').nth(1);
    await second.getByTestId('line-description').fill('צנרת נחושת (מטר)');
    await second.getByTestId('line-quantity').fill('3');
    await second.getByTestId('line-unitPrice').fill('99.90');
    await second.getByTestId('line-discount').fill('9.70');
    // 2,500 + (299.70 − 9.70 = 290) = 2,790 before VAT; VAT 502.20; total 3,292.20.
    await expect(form.getByTestId('total-subtotal')).toHaveText(/2,790/);
    await expect(form.getByTestId('total-vat')).toHaveText(/502\.2/);
    await expect(form.getByTestId('total-grand')).toHaveText(/3,292\.2/);
    await expect(second.getByTestId('line-total')).toHaveText(/290/);

    // The preview follows: a new PDF (new bytes, new URL) with both lines.
    await expect(preview).not.toHaveAttribute('data-sha256', firstPreview!, { timeout: 20_000 });
    await expect(page.getByTestId('draft-state')).toHaveAttribute('data-state', 'saved', { timeout: 20_000 });
    await expect(page.getByTestId('form-notice')).toHaveCount(0); // fixed: the notice goes
    await page.waitForTimeout(3000); // the PDF viewer paints
    await shot(page, 'billing-form.png');
    const drafts = await api<{ items: Array<{ id: number; status: string; number: number | null }> }>(
      'billing.documents.list',
      { status: 'draft' },
    );
    expect(drafts.items).toHaveLength(1);
    expect(drafts.items[0]!.number).toBeNull();

    // Issue, with the warning that an issued document cannot be changed.
    await page.getByTestId('issue').click();
    const confirm = page.getByTestId('issue-confirm');
    await expect(confirm).toContainText('לא יהיה אפשר לשנות או למחוק אותו');
    await expect(confirm).toContainText('3,292.2');
    await shot(page, 'billing-issue-confirm.png');
    await confirm.getByTestId('issue-confirm-button').click();

    // The issued document: its number, status, unpaid, and the stored PDF.
    await expect(page.getByTestId('doc-title')).toContainText('חשבונית מס');
    await expect(page.getByTestId('doc-number')).toHaveText('1');
    await expect(page.getByTestId('doc-status')).toHaveText('הונפק');
    const invoiceUrl = page.url();
    await expect(page.getByTestId('doc-paid')).toHaveText('לא שולם');
    const pdf = page.getByTestId('document-pdf');
    await expect(pdf).toHaveAttribute('data-sha256', /^[0-9a-f]{64}$/);
    const src = (await pdf.getAttribute('src'))!.split('#')[0]!;
    const fileRes = await page.request.get(new URL(src, page.url()).toString());
    expect(fileRes.ok()).toBe(true);
    expect((await fileRes.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.waitForTimeout(1500);
    await shot(page, 'billing-document.png');

    // Record a payment against it (bank transfer): paid in full.
    await page.getByTestId('record-payment').click();
    const dlg = page.getByTestId('payment-dialog');
    await expect(dlg.getByLabel('סכום (₪)')).toHaveValue('3292.20');
    await dlg.getByLabel('אמצעי תשלום').selectOption('bank_transfer');
    await dlg.getByLabel('אסמכתה', { exact: true }).fill('88412');
    await shot(page, 'billing-payment.png');
    await dlg.getByTestId('payment-save').click();
    await expect(dlg).toBeHidden();
    await expect(page.getByTestId('doc-paid')).toHaveText('שולם');
    await expect(page.getByTestId('doc-balance')).toHaveText(/0/);
    await expect(page.getByTestId('doc-payments-list')).toContainText('העברה בנקאית');
    await shot(page, 'billing-document-paid.png');

    // The list: type, number, customer, total, status and paid state.
    await page.goto(`${app.localUrl}/#/invoices`);
    const row = page
      .getByTestId('document-row')
      .filter({ hasText: 'דנה לוי' })
      .filter({ hasText: 'חשבונית מס' });
    await expect(row.first()).toContainText('הונפק');
    await expect(row.first()).toContainText('שולם');
    expect(plain(await row.first().textContent())).toContain('3,292.2');
    await shot(page, 'billing-list.png');

    // Payments and unpaid views.
    await page.getByTestId('tab-payments').click();
    await expect(page.getByTestId('payment-table')).toContainText('העברה בנקאית');
    await shot(page, 'billing-payments.png');
    await page.getByTestId('tab-unpaid').click();
    await expect(page.getByText('אין חשבוניות פתוחות')).toBeVisible();

    // Ctrl+K finds the invoice by its number and opens it.
    await page.keyboard.press('Control+k');
    const search = page.getByTestId('global-search');
    await search.getByRole('textbox').fill('1');
    await expect(search.getByRole('heading', { name: 'מסמכים' })).toBeVisible();
    await search.locator('.search-item', { hasText: 'חשבונית מס 1' }).first().click();
    await expect(page.getByTestId('doc-number')).toHaveText('1');

    // The customer's timeline: the invoice opens the document.
    await page.goto(`${app.localUrl}/#/customers/${customer.id}`);
    await page.getByTestId('timeline-document-link').first().click();
    await expect(page.getByTestId('doc-title')).toBeVisible();

    // Cancelled only by a credit note, with a confirmation; the invoice then says so.
    await page.goto(invoiceUrl);
    await expect(page.getByTestId('doc-paid')).toHaveText('שולם');
    await page.getByTestId('cancel-document').click();
    const cancel = page.getByTestId('cancel-confirm');
    await expect(cancel).toContainText('תופק חשבונית זיכוי');
    await cancel.getByLabel('סיבת הביטול (תופיע בזיכוי)').fill('הותקן מזגן אחר');
    await cancel.getByTestId('cancel-confirm-button').click();
    await expect(page.getByTestId('doc-title')).toContainText('חשבונית זיכוי');
    await expect(page.getByTestId('doc-details')).toContainText('מבטל את');
    await page.waitForTimeout(1500);
    await shot(page, 'billing-credit-note.png');
    await page.goto(invoiceUrl);
    await expect(page.getByTestId('doc-status')).toHaveText('בוטל');
    await expect(page.getByTestId('cancelled-by')).toContainText('חשבונית זיכוי');
    await expect(page.getByTestId('cancel-document')).toHaveCount(0);

    // Settings → documents: the first invoice number is now fixed.
    await page.goto(`${app.localUrl}/#/settings?section=billing`);
    const settings = page.getByTestId('billing-settings');
    await expect(settings.getByTestId('starting-numbers')).toContainText('נעול');
    await settings.scrollIntoViewIfNeeded();
    await shot(page, 'billing-settings.png');
  });
});

test.describe('30,000 demo documents', () => {
  test.beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-e2e-billing-'));
    const db = openDb({
      file: path.join(dataDir, 'agentlocator.db'),
      migrationsDir: path.join(ROOT, 'src-main/db/migrations'),
    });
    generateDemoData(db, { customers: 3000, documents: 30_000, seed: 12 });
    closeDb(db);
    app = await startApp({ dataDir });
  });
  test.afterAll(async () => {
    await app?.stop();
    app?.cleanup();
  });

  test('the documents list pages and filters quickly', async ({ page }) => {
    await page.goto(`${app.localUrl}/?token=${app.token}#/invoices`);
    await expect(page.getByTestId('document-row').first()).toBeVisible();
    const total = Number(plain(await page.getByTestId('document-total').textContent()).replace(/\D/g, ''));
    expect(total).toBeGreaterThanOrEqual(30_000);
    await shot(page, 'billing-list-demo.png');
    // A later page, and a filter, each answer well within a second or two on a loaded machine.
    const timed = async (act: () => Promise<void>) => {
      const t0 = Date.now();
      await act();
      return Date.now() - t0;
    };
    const first = await page.getByTestId('document-row').first().textContent();
    const paging = await timed(async () => {
      await page.getByRole('button', { name: 'הבא' }).click();
      await expect(page.getByTestId('document-row').first()).not.toHaveText(first!);
    });
    const filtering = await timed(async () => {
      await page.getByTestId('filter-paid').selectOption('unpaid');
      await expect(page.getByTestId('doc-paid').first()).toHaveText('לא שולם');
    });
    console.log(
      `documents list on ${total} documents: next page ${paging} ms, unpaid filter ${filtering} ms`,
    );
    expect(paging).toBeLessThan(3000);
    expect(filtering).toBeLessThan(3000);
    await page.getByTestId('tab-unpaid').click();
    await expect(page.getByTestId('unpaid-table')).toBeVisible();
    await shot(page, 'billing-unpaid-demo.png');
  });
});
