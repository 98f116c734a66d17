/**
 * Twilio WhatsApp end to end: a real core against the local fake Twilio REST (Messages,
 * Media, Content) and signed webhook requests — inbound with media, send text / media /
 * template through the outbox, status callbacks in any order (never backwards), the 24-hour
 * window, error 63016, forged signatures → 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { startTestCore, type TestCore } from '../helpers/core';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST, postTwilio } from '../helpers/twilio';
import { eventually } from '../helpers/wait';

const FROM = '+97233762000';
const CUSTOMER = '+972501234567';
const msgSid = (n: number) => `SM${n.toString(16).padStart(32, 'a')}`;
const mmSid = (n: number) => `MM${n.toString(16).padStart(32, 'b')}`;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]);

let fake: FakeTwilio;
let t: TestCore;

beforeAll(async () => {
  fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  t = await startTestCore({
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: fake.url,
    PUBLIC_HOST,
    WHATSAPP_PROVIDER: 'twilio',
    TWILIO_WHATSAPP_FROM: FROM,
    WHATSAPP_SEND_GAP_MS: '10-30',
  });
});
afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

const inbound = (n: number, extra: Record<string, string> = {}) => ({
  MessageSid: msgSid(n),
  AccountSid: ACCOUNT_SID,
  From: `whatsapp:${CUSTOMER}`,
  To: `whatsapp:${FROM}`,
  Body: 'שלום, אפשר תור למחר?',
  NumMedia: '0',
  ProfileName: 'דנה',
  WaId: CUSTOMER.slice(1),
  ...extra,
});

const statusPost = (sid: string, status: string, extra: Record<string, string> = {}, cid?: string) =>
  postTwilio(t.publicUrl, `/webhook/whatsapp/status${cid ? `?cid=${cid}` : ''}`, {
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    MessageStatus: status,
    To: `whatsapp:${CUSTOMER}`,
    From: `whatsapp:${FROM}`,
    ...extra,
  });

describe('Twilio WhatsApp provider', () => {
  let customerId: number;

  it('inbound with media: stored once, media downloaded with the account credentials, a whatsapp lead', async () => {
    const sid = mmSid(1);
    const url = fake.addMedia(sid, 'image/jpeg', JPEG);
    const params = inbound(1, {
      MessageSid: sid,
      NumMedia: '1',
      MediaUrl0: url,
      MediaContentType0: 'image/jpeg',
      Body: 'תמונה של הבעיה',
    });
    const res = await postTwilio(t.publicUrl, '/webhook/whatsapp/inbound', params);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Response></Response>');
    // Twilio retries a webhook: the same MessageSid is stored once.
    expect((await postTwilio(t.publicUrl, '/webhook/whatsapp/inbound', params)).status).toBe(200);

    const conv = await t.api('whatsapp.conversations', {});
    expect(conv.status).toBe(200);
    expect(conv.body.data.items).toHaveLength(1);
    const c = conv.body.data.items[0];
    expect(c).toMatchObject({ phone: CUSTOMER, profileName: 'דנה', unread: 1 });
    customerId = c.customerId;
    const cust = await t.api('crm.customers.get', { id: customerId });
    expect(cust.body.data.source).toBe('whatsapp');
    expect(cust.body.data.status).toBe('lead');

    const thread = await t.api('whatsapp.messages', { customerId });
    expect(thread.body.data.items).toHaveLength(1);
    const m = thread.body.data.items[0];
    expect(m).toMatchObject({ direction: 'in', kind: 'image', text: 'תמונה של הבעיה', status: 'received' });
    expect(m.media).toMatchObject({ mime: 'image/jpeg', size: JPEG.length });
    expect(thread.body.data.canSendText).toBe(true);
    const media = await t.api('whatsapp.media', { messageId: m.id });
    expect(Buffer.from(media.body.data.dataUrl.split(',')[1], 'base64').equals(JPEG)).toBe(true);
    expect(fake.requests.some((r) => r.path.includes('/Media/') && r.authorized)).toBe(true);

    const read = await t.api('whatsapp.markRead', { customerId });
    expect(read.body.data.marked).toBe(1);
    expect((await t.api('whatsapp.conversations', {})).body.data.items[0].unread).toBe(0);
  });

  it('send text: queued, then sent through the SDK with from: whatsapp:+…, body and the status callback', async () => {
    const res = await t.api('whatsapp.send', { customerId, text: 'בטח, מחר ב-10:00' });
    expect(res.status).toBe(200);
    expect(res.body.data.message.status).toBe('queued');
    const id = res.body.data.message.id;
    await eventually('sent', async () => {
      const th = await t.api('whatsapp.messages', { customerId });
      return th.body.data.items.find(
        (x: { id: number; status: string }) => x.id === id && x.status === 'sent',
      );
    });
    expect(fake.messages).toHaveLength(1);
    const sent = fake.messages[0]!;
    expect(sent.params).toMatchObject({
      From: `whatsapp:${FROM}`,
      To: `whatsapp:${CUSTOMER}`,
      Body: 'בטח, מחר ב-10:00',
    });
    expect(sent.params.StatusCallback).toMatch(
      new RegExp(`^https://${PUBLIC_HOST.replace(/\./g, '\\.')}/webhook/whatsapp/status\\?cid=AL[0-9A-F]+$`),
    );
  });

  it('status callbacks in any order never move a message backwards (read before delivered)', async () => {
    const sent = fake.messages[0]!;
    const cid = new URL(sent.params.StatusCallback!).searchParams.get('cid')!;
    expect((await statusPost(sent.sid, 'read', {}, cid)).status).toBe(204);
    expect((await statusPost(sent.sid, 'delivered', {}, cid)).status).toBe(204);
    expect((await statusPost(sent.sid, 'sent', {}, cid)).status).toBe(204);
    expect((await statusPost(sent.sid, 'failed', { ErrorCode: '30008' }, cid)).status).toBe(204);
    const th = await t.api('whatsapp.messages', { customerId });
    const m = th.body.data.items.find((x: { direction: string }) => x.direction === 'out');
    expect(m.status).toBe('read');
    expect(m.readAt).toEqual(expect.any(Number));
    expect(m.deliveredAt).toEqual(expect.any(Number));
    expect(m.error).toBeNull();
  });

  it('forged or missing signatures → 403 and nothing changes', async () => {
    const before = (await t.api('whatsapp.messages', { customerId })).body.data.items.length;
    const forged = await postTwilio(t.publicUrl, '/webhook/whatsapp/inbound', inbound(9), {
      token: 'wrong-token',
    });
    expect(forged.status).toBe(403);
    const none = await postTwilio(t.publicUrl, '/webhook/whatsapp/inbound', inbound(10), { token: null });
    expect(none.status).toBe(403);
    const st = await postTwilio(
      t.publicUrl,
      '/webhook/whatsapp/status',
      { MessageSid: fake.messages[0]!.sid, AccountSid: ACCOUNT_SID, MessageStatus: 'failed' },
      { token: 'wrong-token' },
    );
    expect(st.status).toBe(403);
    expect((await t.api('whatsapp.messages', { customerId })).body.data.items.length).toBe(before);
  });

  it('outside the 24-hour window free text is refused (nothing queued); a template goes; 63016 is explained', async () => {
    const other = await t.api('crm.customers.create', { name: 'יוסי כהן', phone: '052-7654321' });
    const otherId = other.body.data.id;
    const refused = await t.api('whatsapp.send', { customerId: otherId, text: 'היי' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('outside_window');
    expect((await t.api('whatsapp.messages', { customerId: otherId })).body.data.items).toHaveLength(0);
    expect((await t.api('whatsapp.messages', { customerId: otherId })).body.data.canSendText).toBe(false);

    fake.templates.push({
      sid: `HX${'1'.repeat(32)}`,
      friendly_name: 'appointment_reminder',
      language: 'he',
      body: 'שלום {{1}}, תזכורת לתור ב-{{2}}',
      variables: { '1': 'name', '2': 'time' },
      status: 'approved',
    });
    const list = await t.api('whatsapp.templates', {});
    expect(list.body.data.items[0]).toMatchObject({
      contentSid: `HX${'1'.repeat(32)}`,
      approval: 'approved',
    });
    const tpl = await t.api('whatsapp.sendTemplate', {
      customerId: otherId,
      contentSid: `HX${'1'.repeat(32)}`,
      variables: { '1': 'יוסי', '2': '10:00' },
    });
    expect(tpl.status).toBe(200);
    expect(tpl.body.data.message.text).toBe('שלום יוסי, תזכורת לתור ב-10:00');
    const created = await eventually('template sent', () =>
      fake.messages.find((m) => m.params.ContentSid === `HX${'1'.repeat(32)}`),
    );
    expect(JSON.parse(created.params.ContentVariables!)).toEqual({ '1': 'יוסי', '2': '10:00' });
    await eventually('template row sent', async () => {
      const th = await t.api('whatsapp.messages', { customerId: otherId });
      return th.body.data.items[0]?.status === 'sent';
    });
    await statusPost(created.sid, 'undelivered', { ErrorCode: '63016', To: 'whatsapp:+972527654321' });
    const th = await t.api('whatsapp.messages', { customerId: otherId });
    expect(th.body.data.items[0]).toMatchObject({
      status: 'failed',
      error: 'outside_window',
      providerErrorCode: '63016',
    });
  });

  it('send media: offered to Twilio at a signed public URL that serves the bytes (a changed token: 404)', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% AgentLocator test\n');
    const res = await t.api('whatsapp.sendMedia', {
      customerId,
      file: { name: 'מחירון.pdf', mime: 'application/pdf', base64: pdf.toString('base64') },
      caption: 'המחירון',
    });
    expect(res.status).toBe(200);
    const created = await eventually('media sent', () => fake.messages.find((m) => m.mediaUrls.length));
    const url = new URL(created.mediaUrls[0]!);
    expect(url.host).toBe(PUBLIC_HOST);
    expect(url.pathname).toMatch(/^\/media\/whatsapp\//);
    expect(created.params.Body).toBe('המחירון');
    const got = await fetch(`${t.publicUrl}${url.pathname}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await got.arrayBuffer()).equals(pdf)).toBe(true);
    const bad = await fetch(`${t.publicUrl}${url.pathname.slice(0, -3)}abc`);
    expect(bad.status).toBe(404);
  });

  it('bad input is refused with a clear error and queues nothing', async () => {
    const before = fake.messages.length;
    const cases: Array<[unknown, number]> = [
      [{ text: 'בלי נמען' }, 400],
      [{ phone: '12', text: 'x' }, 400],
      [{ customerId, text: '' }, 400],
      [{ customerId, file: { name: 'a.exe', mime: 'application/x-msdownload', base64: 'TVqQAAMA' } }, 400],
    ];
    for (const [body, status] of cases) {
      const method = 'file' in (body as object) ? 'whatsapp.sendMedia' : 'whatsapp.send';
      expect((await t.api(method, body)).status, JSON.stringify(body)).toBe(status);
    }
    const big = Buffer.alloc(6 * 1024 * 1024, 1).toString('base64');
    const tooBig = await t.api('whatsapp.sendMedia', {
      customerId,
      file: { name: 'x.jpg', mime: 'image/jpeg', base64: big },
    });
    expect(tooBig.status).toBe(400);
    expect(JSON.stringify(tooBig.body)).toContain('media_too_large');
    expect(fake.messages.length).toBe(before);
  });

  it('readiness reports whatsapp ok with keys and a sender', async () => {
    const r = await fetch(`${t.publicUrl}/readyz`);
    const body = (await r.json()) as { whatsapp?: string; checks?: { whatsapp?: string } };
    expect(JSON.stringify(body)).toContain('"whatsapp":"ok"');
  });
});
