/**
 * WhatsApp in the built app (browser mode, Chromium, 1366×768), on the Twilio provider against the
 * loopback fake Twilio REST with signed webhooks, as a business line would run it:
 * - a customer's message arrives and appears in the open inbox (no reload), with its unread count;
 *   opening the thread reads it; the reply goes out through the outbox and its ticks advance
 *   (clock → ✓ → ✓✓ → blue ✓✓) as Twilio's status callbacks come in; a failed one says why in Hebrew;
 * - the customer page's WhatsApp action opens the thread; the timeline item, the dashboard card and
 *   Ctrl+K lead to it;
 * - a customer who has not written in 24 hours can only be sent an approved template: the composer
 *   says so and offers the picker;
 * - Settings → WhatsApp: the provider choice, live state and pace caps; for WhatsApp Web the QR as
 *   an image that decodes to WhatsApp's string, the pairing code, connected, logout with confirmation.
 * Screenshots: /work/notes/screens/whatsapp-*.png when that folder exists, else test-results/screens.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { expect, test, type Page } from '@playwright/test';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST, postTwilio } from '../helpers/twilio';
import { fromModule, importBaileys, substituteBaileysLib } from '../../src-main/whatsapp/baileys/lib';
import { fakeSocketFactory } from '../fakes/baileys-socket';
import { startTestCore, type TestCore } from '../helpers/core';
import { SCREENS, startApp, type RunningApp } from './harness';

const NOTES_SCREENS = '/work/notes/screens';
const SHOTS = existsSync(path.dirname(NOTES_SCREENS)) ? NOTES_SCREENS : SCREENS;
mkdirSync(SHOTS, { recursive: true });

const FROM = '+972533000111';
let app: RunningApp;
let twilio: FakeTwilio;

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1366, height: 768 } });

test.beforeAll(async () => {
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  app = await startApp({
    env: {
      PUBLIC_HOST,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilio.url,
      WHATSAPP_PROVIDER: 'twilio',
      TWILIO_WHATSAPP_FROM: FROM,
    },
  });
});
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
  await twilio?.close();
});

async function shot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: false });
}

async function api<T = unknown>(method: string, input: unknown = {}): Promise<T> {
  const res = await fetch(`${app.localUrl}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { data: T };
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(body)}`);
  return body.data;
}

/** Random like Twilio's (the fake numbers its own outbound sids from 1). */
const messageSid = () => `SM${randomBytes(16).toString('hex')}`;

/** A customer's WhatsApp message as Twilio posts it (signed against the public URL). */
async function inbound(phone: string, body: string, profileName: string) {
  const r = await postTwilio(app.publicUrl, '/webhook/whatsapp/inbound', {
    MessageSid: messageSid(),
    AccountSid: ACCOUNT_SID,
    From: `whatsapp:${phone}`,
    To: `whatsapp:${FROM}`,
    Body: body,
    NumMedia: '0',
    ProfileName: profileName,
    WaId: phone.slice(1),
  });
  expect(r.status).toBeLessThan(300);
}

/** Twilio's status callback for a message the app sent, to the URL the app gave it. */
async function statusCallback(
  sent: { sid: string; params: Record<string, string> },
  status: string,
  extra = {},
) {
  const url = new URL(sent.params.StatusCallback!);
  const r = await postTwilio(app.publicUrl, `${url.pathname}${url.search}`, {
    MessageSid: sent.sid,
    AccountSid: ACCOUNT_SID,
    MessageStatus: status,
    To: sent.params.To!,
    From: sent.params.From!,
    ...extra,
  });
  expect(r.status).toBeLessThan(300);
}

const CUSTOMER = '+972521234567';

test('a message arrives in the open inbox; the reply goes out and its ticks advance', async ({ page }) => {
  await page.goto(`${app.openUrl}#/whatsapp`);
  await expect(page.getByTestId('wa-page')).toBeVisible();
  await expect(page.getByRole('navigation').getByRole('link', { name: 'וואטסאפ' })).not.toContainText(
    'בקרוב',
  );
  await expect(page.getByText('אין עדיין שיחות וואטסאפ')).toBeVisible();

  // Some other conversations first, so the list looks like a working day.
  await inbound('+972541112233', 'תודה רבה, קיבלתי את ההצעה', 'יוסי כהן');
  await inbound('+972507654321', 'מתי אתם פתוחים ביום שישי?', 'מיכל אברהם');
  await expect(page.getByTestId('wa-conv')).toHaveCount(2);

  // The customer writes while the inbox is open: it appears at the top, unread.
  await inbound(CUSTOMER, 'שלום, אפשר לקבוע תור למחר בבוקר?', 'דנה לוי');
  const conv = page.getByTestId('wa-conv').first();
  await expect(conv).toContainText('דנה לוי');
  await expect(conv).toContainText('אפשר לקבוע תור למחר');
  await expect(conv.getByTestId('wa-conv-unread')).toHaveText('1');
  await expect(page.getByTestId('wa-unread-total')).toContainText('3');
  await shot(page, 'whatsapp-inbox.png');

  // Opening it reads it.
  await conv.click();
  const thread = page.getByTestId('wa-thread');
  await expect(thread.getByTestId('wa-thread-name')).toHaveText('דנה לוי');
  await expect(thread.locator('[data-testid="wa-msg"][data-direction="in"]')).toContainText('תור למחר');
  await expect(conv.getByTestId('wa-conv-unread')).toHaveCount(0);
  await expect
    .poll(async () => {
      const r = await api<{ items: Array<{ phone: string | null; unread: number }> }>(
        'whatsapp.conversations',
      );
      return r.items.find((c) => c.phone === CUSTOMER)?.unread;
    })
    .toBe(0);

  // The reply: queued first, then sent by the outbox through Twilio.
  const before = twilio.messages.length;
  await page.getByTestId('wa-input').fill('בוקר טוב דנה! מחר ב־09:30 מתאים?');
  await page.getByTestId('wa-input').press('Enter');
  const out = thread.locator('[data-testid="wa-msg"][data-direction="out"]').last();
  await expect(out).toContainText('מחר ב־09:30 מתאים?');
  await expect(page.getByTestId('wa-input')).toHaveValue('');
  await expect.poll(() => twilio.messages.length, { timeout: 30_000 }).toBe(before + 1);
  const sent = twilio.messages[twilio.messages.length - 1]!;
  expect(sent.params.To).toBe(`whatsapp:${CUSTOMER}`);
  expect(sent.params.From).toBe(`whatsapp:${FROM}`);
  expect(sent.params.Body).toBe('בוקר טוב דנה! מחר ב־09:30 מתאים?');
  await expect(out.getByTestId('wa-ticks')).toHaveAttribute('data-status', 'sent', { timeout: 15_000 });

  // Twilio reports delivery, then reading: ✓✓, then blue ✓✓ — and never back.
  await statusCallback(sent, 'delivered');
  await expect(out.getByTestId('wa-ticks')).toHaveAttribute('data-status', 'delivered');
  await statusCallback(sent, 'read');
  await expect(out.getByTestId('wa-ticks')).toHaveAttribute('data-status', 'read');
  await expect(out.getByTestId('wa-ticks')).toHaveAttribute('aria-label', 'נקראה');
  await statusCallback(sent, 'delivered');
  await page.waitForTimeout(500);
  await expect(out.getByTestId('wa-ticks')).toHaveAttribute('data-status', 'read');

  // The customer answers; it appears in the open thread, and the list stays read.
  await inbound(CUSTOMER, 'מעולה, תודה! נתראה מחר', 'דנה לוי');
  await expect(thread.locator('[data-testid="wa-msg"][data-direction="in"]').last()).toContainText(
    'נתראה מחר',
  );
  await expect(conv.getByTestId('wa-conv-unread')).toHaveCount(0);

  // A send Twilio refuses ends failed with the reason in Hebrew and a retry.
  twilio.failMessages(() => ({ status: 400, code: 21211, message: 'Invalid To Phone Number' }));
  await page.getByTestId('wa-input').fill('שולחת גם את המחירון');
  await page.getByTestId('wa-send').click();
  const failed = thread.locator('[data-testid="wa-msg"][data-direction="out"]').last();
  await expect(failed).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  await expect(failed.getByTestId('wa-fail')).toBeVisible();
  await expect(failed.getByTestId('wa-fail')).not.toContainText(/[a-z]{3,}/i);
  twilio.failMessages(null);
  await shot(page, 'whatsapp-thread.png');
  await failed.getByTestId('wa-retry').click();
  await expect(failed).not.toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
  await expect(failed.getByTestId('wa-ticks')).toHaveAttribute('data-status', 'sent', { timeout: 30_000 });
});

test('the customer page, timeline, dashboard and Ctrl+K lead to the thread', async ({ page }) => {
  const conversations = await api<{ items: Array<{ customerId: number; phone: string | null }> }>(
    'whatsapp.conversations',
  );
  const dana = conversations.items.find((c) => c.phone === CUSTOMER)!;
  // Unknown numbers became customers (leads from WhatsApp).
  const customer = await api<{ status: string; source: string; name: string }>('crm.customers.get', {
    id: dana.customerId,
  });
  expect(customer.status).toBe('lead');
  expect(customer.source).toBe('whatsapp');

  await page.goto(`${app.openUrl}#/customers/${dana.customerId}`);
  const timelineItem = page.getByTestId('timeline').locator('li[data-kind="whatsapp"]').first();
  await expect(timelineItem).toBeVisible();
  await timelineItem.getByTestId('timeline-whatsapp-link').click();
  await expect(page.getByTestId('wa-thread')).toHaveAttribute('data-customer', String(dana.customerId));

  await page.goto(`${app.openUrl}#/customers/${dana.customerId}`);
  await page.getByTestId('action-whatsapp').click();
  await expect(page).toHaveURL(new RegExp(`#/whatsapp/${dana.customerId}$`));
  await expect(page.getByTestId('wa-thread')).toContainText('נתראה מחר');

  // The dashboard counts unread messages (the two other conversations were never opened).
  await page.goto(`${app.openUrl}#/`);
  await expect(page.getByTestId('kpi-whatsapp')).toContainText('2');
  await page.getByTestId('kpi-whatsapp').click();
  await expect(page.getByTestId('wa-page')).toBeVisible();

  // Ctrl+K finds the message and opens its conversation.
  await page.keyboard.press('Control+k');
  const search = page.getByTestId('global-search');
  await search.getByRole('textbox').fill('מחירון');
  await expect(search.getByRole('heading', { name: 'הודעות' })).toBeVisible();
  await search.locator('.search-item', { hasText: 'מחירון' }).first().click();
  await expect(page.getByTestId('wa-thread')).toHaveAttribute('data-customer', String(dana.customerId));
});

test('outside the 24-hour window only an approved template can be sent, and the composer says why', async ({
  page,
}) => {
  twilio.templates.push(
    {
      sid: `HX${'a'.repeat(32)}`,
      friendly_name: 'תזכורת לתור',
      language: 'he',
      body: 'שלום {{1}}, מזכירים שהתור שלך נקבע ל־{{2}}. להתראות!',
      variables: { '1': 'שם', '2': 'מועד' },
      status: 'approved',
    },
    {
      sid: `HX${'b'.repeat(32)}`,
      friendly_name: 'מבצע חודשי',
      language: 'he',
      body: 'שלום {{1}}, יש לנו מבצע החודש!',
      variables: { '1': 'שם' },
      status: 'pending',
    },
  );
  const c = await api<{ id: number }>('crm.customers.create', { name: 'אבי מזרחי', phone: '052-9876543' });
  await page.goto(`${app.openUrl}#/customers/${c.id}`);
  await page.getByTestId('action-whatsapp').click();
  const thread = page.getByTestId('wa-thread');
  await expect(thread.getByTestId('wa-thread-name')).toHaveText('אבי מזרחי');
  await expect(thread.getByText('אין עדיין הודעות בשיחה הזאת')).toBeVisible();
  const closed = thread.getByTestId('wa-window-closed');
  await expect(closed).toContainText('24 שעות');
  await expect(thread.getByTestId('wa-input')).toHaveCount(0);

  await closed.getByTestId('wa-open-templates').click();
  const picker = page.getByTestId('wa-templates');
  await expect(picker.getByTestId('wa-template')).toHaveCount(2);
  await expect(picker.getByTestId('wa-template').filter({ hasText: 'מבצע חודשי' })).toBeDisabled();
  await picker.getByLabel('ערך 1').fill('אבי');
  await picker.getByLabel('ערך 2').fill('יום ראשון ב־10:00');
  await expect(picker.getByTestId('wa-template-preview')).toHaveText(
    'שלום אבי, מזכירים שהתור שלך נקבע ל־יום ראשון ב־10:00. להתראות!',
  );
  await shot(page, 'whatsapp-template.png');
  const before = twilio.messages.length;
  await picker.getByTestId('wa-template-send').click();
  await expect(picker).toHaveCount(0);
  await expect(thread.locator('[data-testid="wa-msg"][data-direction="out"]')).toContainText('שלום אבי');
  await expect.poll(() => twilio.messages.length, { timeout: 30_000 }).toBe(before + 1);
  const sent = twilio.messages[twilio.messages.length - 1]!;
  expect(sent.params.ContentSid).toBe(`HX${'a'.repeat(32)}`);
  expect(JSON.parse(sent.params.ContentVariables!)).toEqual({ '1': 'אבי', '2': 'יום ראשון ב־10:00' });
});

test('Settings → WhatsApp: provider choice and live state', async ({ page }) => {
  await page.goto(`${app.openUrl}#/settings?section=whatsapp`);
  const section = page.getByTestId('wa-settings');
  await expect(section).toBeVisible();
  await expect(section.getByTestId('wa-provider-twilio')).toHaveAttribute('aria-current', 'true');
  await expect(section.getByTestId('wa-conn-state')).toHaveText('מחובר');
  await expect(section.getByTestId('wa-outbox')).toContainText('נשלחו היום');
  // Pace caps: every field checked at once, nothing saved on a bad value.
  await section.getByTestId('wa-perMinute').fill('0');
  await section.getByTestId('wa-perDay').fill('20000');
  await section.getByTestId('wa-settings-save').click();
  await expect(section.locator('.field .error')).toHaveCount(2);
  expect((await api<{ perMinute: number }>('whatsapp.settings.get')).perMinute).toBe(20);
  await section.getByTestId('wa-perMinute').fill('12');
  await section.getByTestId('wa-perDay').fill('400');
  await section.getByTestId('wa-settings-save').click();
  await expect(section.getByRole('status')).toHaveText('נשמר');
  expect(await api<{ perMinute: number; perDay: number }>('whatsapp.settings.get')).toMatchObject({
    perMinute: 12,
    perDay: 400,
  });
});

/**
 * WhatsApp Web on this computer needs WhatsApp's servers, which the build machines cannot reach:
 * this part runs a core in the test process with Baileys' socket (the network edge) replaced by
 * the fake that emits Baileys' real events, serving the same built renderer.
 */
test.describe('WhatsApp Web linking', () => {
  const factory = fakeSocketFactory();
  let core: TestCore;
  test.beforeAll(async () => {
    substituteBaileysLib(fromModule(await importBaileys(), { makeWASocket: factory.makeWASocket }));
    core = await startTestCore({ WHATSAPP_PROVIDER: 'baileys' });
    await core.api('setup.mark', { wizardSeen: true });
  });
  test.afterAll(async () => {
    await core?.stop();
    substituteBaileysLib(null);
  });

  test('the QR shows as a scannable image, the pairing code on request, then connected and logout', async ({
    page,
  }) => {
    await page.goto(`${core.localUrl}/?token=${core.token}#/settings?section=whatsapp`);
    const section = page.getByTestId('wa-settings');
    await expect(section.getByTestId('wa-provider-baileys')).toHaveAttribute('aria-current', 'true');
    // Opening the screen asks for a QR: the app opens its socket, WhatsApp sends the code.
    await expect.poll(() => factory.sockets.length).toBeGreaterThan(0);
    const qrString =
      '2@Qm9ndXNRUnN0cmluZ0Zyb21XaGF0c0FwcA==,K4u0vFh3c2dk0RzK1Q==,dGVzdElkZW50aXR5,YWR2U2VjcmV0';
    factory.last().connecting();
    factory.last().qr(qrString);
    const qr = section.getByTestId('wa-qr-image');
    await expect(qr).toBeVisible();
    await expect(section.getByTestId('wa-conn-state')).toHaveText('ממתין לסריקת הקוד');
    await section.getByTestId('wa-pairing').scrollIntoViewIfNeeded();
    await shot(page, 'whatsapp-qr.png');
    // What the phone's camera reads is WhatsApp's string.
    const png = PNG.sync.read(await qr.screenshot());
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(qrString);

    // No camera: a pairing code for the business number.
    await section.getByTestId('wa-pair-phone').fill('050-1234567');
    await section.getByTestId('wa-pair-get').click();
    await expect(section.getByTestId('wa-pairing-code')).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(factory.last().pairingRequests.at(-1)).toContain('501234567');

    // Scanned: Baileys restarts its stream (515) and the new socket opens — connected, live.
    const me = { id: '972501234567:3@s.whatsapp.net', name: 'העסק' };
    const first = factory.last();
    first.scanned(me);
    await expect.poll(() => factory.last() !== first).toBe(true);
    factory.last().open(me);
    await expect(section.getByTestId('wa-conn-state')).toHaveText('מחובר');
    await expect(section.getByTestId('wa-pairing')).toHaveCount(0);
    await expect(section.getByTestId('wa-me')).toHaveText('050-123-4567');

    // Logout asks first; then the device is unlinked.
    await section.getByTestId('wa-logout').click();
    const confirm = page.getByTestId('wa-logout-confirm');
    await expect(confirm).toContainText('ההודעות שכבר נשמרו יישארו');
    await confirm.getByTestId('wa-logout-yes').click();
    await expect(confirm).toHaveCount(0);
    await expect(section.getByTestId('wa-conn-state')).not.toHaveText('מחובר');
  });
});
