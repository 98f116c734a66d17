/**
 * The Baileys provider inside a real core (WHATSAPP_PROVIDER=baileys): the WhatsApp module's
 * store, outbox and API over the fake socket (tests/fakes/baileys-socket.ts). QR through the
 * API → scanned → open → a customer's message becomes a lead conversation (once, however often
 * it is upserted) → the owner's reply goes out through the outbox → receipts in any order never
 * move it backwards → a restart with the stored auth connects without a QR.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromModule, importBaileys, substituteBaileysLib } from '../../src-main/whatsapp/baileys/lib';
import { fakeSocketFactory, waMessage, type FakeBaileysSocket } from '../fakes/baileys-socket';
import { startTestCore, type TestCore } from '../helpers/core';

/** Retries `check` (assertions inside) until it passes; rethrows its last failure after `ms`. */
async function eventually(check: () => unknown, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const ME = { id: '972501112233:7@s.whatsapp.net', name: 'העסק' };
const PN = '972521234567@s.whatsapp.net';
const LID = '123456789012345@lid';

const factory = fakeSocketFactory();
let t: TestCore;
const env = { WHATSAPP_PROVIDER: 'baileys', WHATSAPP_SEND_GAP_MS: '10-30' };

beforeAll(async () => {
  const mod = await importBaileys();
  substituteBaileysLib(
    fromModule(mod, {
      makeWASocket: factory.makeWASocket,
      downloadMediaMessage: async () => Readable.from([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])]),
    }),
  );
  t = await startTestCore(env);
  expect((await t.api('business.setFeatures', { whatsapp_enabled: true })).status).toBe(200);
});

afterAll(async () => {
  await t?.stop();
  substituteBaileysLib(null);
});

const sock = (): FakeBaileysSocket => factory.last();

describe('Baileys provider in the core', () => {
  let customerId: number;
  let outId: number;

  it('QR through the API → scanned → connected', async () => {
    const before = factory.sockets.length;
    const first = await t.api('whatsapp.qr', {});
    expect(first.status).toBe(200);
    expect(factory.sockets.length).toBe(before + 1);
    sock().connecting();
    sock().qr('2@CORE-QR,abc');
    const qr = await t.api('whatsapp.qr', {});
    expect(qr.body.data).toMatchObject({ state: 'qr', qr: '2@CORE-QR,abc' });
    sock().scanned(ME);
    sock().open(ME);
    await eventually(async () => {
      const s = await t.api('whatsapp.status', {});
      expect(s.body.data.connection).toMatchObject({ state: 'open', provider: 'baileys' });
    });
  });

  it('a live message (LID chat with the phone as remoteJidAlt) becomes one lead conversation, stored once', async () => {
    const m = waMessage({ from: LID, alt: PN, id: 'CORE-IN-1', text: 'היי, יש תור מחר?', pushName: 'דנה' });
    sock().upsert([m], 'notify');
    sock().upsert([m], 'append'); // the same message again
    sock().upsert([waMessage({ from: 'status@broadcast', id: 'ST', text: 'status' })], 'notify');
    await eventually(async () => {
      const c = await t.api('whatsapp.conversations', {});
      const items = c.body.data.items;
      expect(items).toHaveLength(1);
      customerId = items[0].customerId;
      expect(items[0].unread).toBe(1);
    });
    const msgs = await t.api('whatsapp.messages', { customerId });
    const items = msgs.body.data.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      direction: 'in',
      kind: 'text',
      text: 'היי, יש תור מחר?',
      status: 'received',
    });
    const cust = await t.api('crm.customers.get', { id: customerId });
    expect(cust.body.data.phone).toBe('+972521234567');
    expect(cust.body.data.source).toBe('whatsapp');
  });

  it('the reply goes out through the outbox; receipts read-then-delivered never go backwards', async () => {
    const sent = await t.api('whatsapp.send', { customerId, text: 'כן, ב-10:00 מתאים?' });
    expect(sent.status).toBe(200);
    outId = sent.body.data.message.id;
    await eventually(() => expect(sock().sent).toHaveLength(1));
    const call = sock().sent[0]!;
    expect(call.jid).toBe(PN);
    expect(call.content).toEqual({ text: 'כן, ב-10:00 מתאים?' });
    const waId = call.options!.messageId!;
    const key = { remoteJid: PN, fromMe: true, id: waId };
    const statusOf = async () => {
      const r = await t.api('whatsapp.messages', { customerId });
      return r.body.data.items.find((x: { id: number }) => x.id === outId);
    };
    await eventually(async () => expect((await statusOf()).status).toBe('sent'));
    sock().receipt([{ key, receipt: { userJid: PN, readTimestamp: 1_767_254_500 } }]);
    await eventually(async () => expect((await statusOf()).status).toBe('read'));
    sock().update([{ key, update: { status: 3 } }]);
    sock().update([{ key, update: { status: 2 } }]);
    await new Promise((r) => setTimeout(r, 200));
    const final = await statusOf();
    expect(final.status).toBe('read');
    expect(final.readAt).toBeGreaterThan(0);
    // The echo of our own send is not a second message in the thread.
    const r = await t.api('whatsapp.messages', { customerId });
    expect(r.body.data.items).toHaveLength(2);
  });

  it('a restart with the stored auth connects without a QR', async () => {
    const dataDir = t.dataDir;
    await t.stop({ keepData: true });
    const before = factory.sockets.length;
    t = await startTestCore(env, dataDir);
    // Linked before (wa_auth rows): the module starts Baileys by itself.
    await eventually(() => expect(factory.sockets.length).toBe(before + 1));
    expect(sock().config.auth.creds.me?.id).toBe(ME.id);
    sock().open();
    await eventually(async () => {
      const s = await t.api('whatsapp.status', {});
      expect(s.body.data.connection).toMatchObject({ state: 'open', qr: null });
    });
  });

  it('the system-resume hook (Electron powerMonitor resume) gives Baileys a fresh socket', async () => {
    const old = sock();
    const before = factory.sockets.length;
    for (const m of t.core.modules) m.systemResumed?.();
    expect(factory.sockets.length).toBe(before + 1);
    expect(old.ended).toBe(true);
    expect(old.listenerTotal()).toBe(0);
    sock().open();
    await eventually(async () => {
      const s = await t.api('whatsapp.status', {});
      expect(s.body.data.connection).toMatchObject({ state: 'open' });
    });
  });

  it('440 (opened elsewhere) → replaced; asking for the connection again takes the session back', async () => {
    const old = sock();
    old.close(440);
    await eventually(async () => {
      const s = await t.api('whatsapp.status', {});
      expect(s.body.data.connection).toMatchObject({ state: 'replaced', reason: 'connection_replaced' });
    });
    const before = factory.sockets.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(factory.sockets.length).toBe(before); // no reconnect by itself
    const again = await t.api('whatsapp.qr', {});
    expect(again.status).toBe(200);
    expect(factory.sockets.length).toBe(before + 1);
    expect(sock().config.auth.creds.me?.id).toBe(ME.id); // same linked account, no new QR needed
    sock().open();
    await eventually(async () => {
      const s = await t.api('whatsapp.status', {});
      expect(s.body.data.connection).toMatchObject({ state: 'open' });
    });
  });
});
