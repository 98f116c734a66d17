/**
 * The outbox survives a crash: a REAL child process runs the worker (real Twilio provider, the
 * twilio SDK against the fake Twilio on loopback in this process) on a file database, is
 * SIGKILLed mid-drain twice, and restarted. Every message ends sent exactly once or failed with
 * a reason; duplicates = 0, lost = 0; per-chat order kept. Then: a provider switch while
 * messages are queued loses none and sends none twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../../src-main/db/client';
import { systemClock } from '../../src-main/platform/clock';
import { createLogger } from '../../src-main/platform/logger';
import { OutboxWorker } from '../../src-main/whatsapp/outbox';
import {
  ProviderEmitter,
  ProviderError,
  type ConnectionState,
  type ProviderName,
  type SendResult,
  type WhatsAppProvider,
} from '../../src-main/whatsapp/provider';
import { WaStore, type MessageRow } from '../../src-main/whatsapp/store';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { ACCOUNT_SID, AUTH_TOKEN } from '../helpers/twilio';

const FROM = '+97233762000';
const CHATS = 8;
const PER_CHAT = 25;
const MIGRATIONS = path.join(import.meta.dirname, '../../src-main/db/migrations');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function seed(dbFile: string, provider: ProviderName): { store: WaStore; close: () => void } {
  const db = openDb({ file: dbFile, migrationsDir: MIGRATIONS });
  db.$client.prepare('insert or ignore into business (id) values (1)').run();
  const store = new WaStore(db.$client);
  const now = Date.now();
  const contacts = Array.from({ length: CHATS }, (_, c) => {
    const phone = `+97250${String(1000000 + c)}`;
    const k = store.upsertContact({ phone, now });
    db.$client.prepare('update wa_contacts set last_inbound_at = ? where id = ?').run(now, k.id);
    return k;
  });
  // Interleaved across chats, as real traffic is; some bodies are refused by "Twilio" for good.
  for (let n = 0; n < PER_CHAT; n++)
    for (const [c, k] of contacts.entries())
      store.enqueue({
        contactId: k.id,
        customerId: null,
        provider,
        peer: k.phone!,
        kind: 'text',
        body: `chat${c} msg${String(n).padStart(3, '0')}${n === 7 && c === 3 ? ' bad' : ''}`,
        now,
      });
  return { store, close: () => closeDb(db) };
}

function runChild(dbFile: string, fake: FakeTwilio, killWhen?: () => boolean) {
  return new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(import.meta.dirname, '../fixtures/whatsapp-outbox-child.ts'),
        dbFile,
        fake.url,
        ACCOUNT_SID,
        AUTH_TOKEN,
        FROM,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHILD_LOG: 'info' } },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const poll = killWhen
      ? setInterval(() => {
          if (killWhen()) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 2)
      : undefined;
    child.on('exit', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve({ code, signal, out });
    });
  });
}

describe('WhatsApp outbox crash safety', () => {
  it('SIGKILL mid-drain twice, restart: each message sent exactly once or failed with a reason, order kept', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-outbox-crash-'));
    dirs.push(dir);
    const dbFile = path.join(dir, 'agentlocator.db');
    const fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    try {
      // Every answer a little late (so a kill lands inside requests), a few 500s (retried), one
      // answer lost after the message was accepted (must be reconciled, not resent), one
      // permanent refusal (failed with its reason).
      fake.setDelay(4);
      let n = 0;
      let lostAnswer = false;
      fake.failMessages((p) => {
        n++;
        if (p.Body?.endsWith(' bad')) return { status: 400, code: 21211, message: 'invalid To' };
        if (!lostAnswer && n === 30) {
          lostAnswer = true;
          return { status: 500, code: 20500, acceptThenFail: false, hang: true };
        }
        if (n % 17 === 0) return { status: 503, code: 20503 };
        return undefined;
      });
      const seeded = seed(dbFile, 'twilio');
      seeded.close();
      const total = CHATS * PER_CHAT;

      const first = await runChild(dbFile, fake, () => fake.messages.length >= 60);
      expect(first.signal).toBe('SIGKILL');
      const afterFirst = fake.messages.length;
      const second = await runChild(dbFile, fake, () => fake.messages.length >= 130);
      expect(second.signal, second.out).toBe('SIGKILL');
      const afterSecond = fake.messages.length;
      const last = await runChild(dbFile, fake);
      expect(last.code, last.out).toBe(0);
      expect(last.out).toContain('drained');

      const outcomes = (out: string) =>
        [...out.matchAll(/"outcome":"(\w+)"[^\n]*whatsapp message reconciled/g)].map((m) => m[1]).join(',') ||
        'none';
      const db = openDb({ file: dbFile, migrationsDir: MIGRATIONS });
      const rows = db.$client.prepare('select * from wa_messages order by id').all() as MessageRow[];
      closeDb(db);
      const bodies = fake.messages.map((m) => m.params.Body!);
      const duplicates = bodies.length - new Set(bodies).size;
      const sent = rows.filter((r) => r.status === 'sent');
      const failed = rows.filter((r) => r.status === 'failed');
      const lost = rows.filter((r) => r.status !== 'sent' && r.status !== 'failed');
      const sentNotAtTwilio = sent.filter((r) => !fake.messages.some((m) => m.sid === r.provider_message_id));
      const atTwilioNotSent = fake.messages.filter(
        (m) => !rows.some((r) => r.status === 'sent' && r.provider_message_id === m.sid),
      );
      console.log(
        `[whatsapp outbox crash] messages=${total} sent=${sent.length} failed=${failed.length} ` +
          `(reasons: ${[...new Set(failed.map((f) => f.error))].join(',')}) duplicates=${duplicates} lost=${lost.length} ` +
          `twilio creates=${fake.messages.length} (after kill 1: ${afterFirst}, after kill 2: ${afterSecond}); ` +
          `reconciled at restart 1: ${outcomes(second.out)}, restart 2: ${outcomes(last.out)}`,
      );
      expect(rows).toHaveLength(total);
      expect(duplicates).toBe(0);
      expect(lost).toHaveLength(0);
      expect(sentNotAtTwilio).toHaveLength(0);
      expect(atTwilioNotSent).toHaveLength(0);
      expect(failed.every((f) => !!f.error)).toBe(true);
      expect(failed.map((f) => f.body)).toEqual(['chat3 msg007 bad']);
      expect(failed[0]!.error).toBe('invalid_recipient');
      expect(sent.length + failed.length).toBe(total);
      // Per-chat order: Twilio received each chat's messages in queue order.
      for (let c = 0; c < CHATS; c++) {
        const got = bodies.filter((b) => b.startsWith(`chat${c} `));
        expect(got).toEqual([...got].sort());
      }
    } finally {
      await fake.close();
    }
  }, 120_000);

  it('a provider switch while messages are queued: none lost, none sent twice, order kept', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-outbox-switch-'));
    dirs.push(dir);
    const dbFile = path.join(dir, 'agentlocator.db');
    const { store, close } = seed(dbFile, 'baileys');
    const ledger: Array<{ provider: ProviderName; cid: string; body: string }> = [];
    const a = new MemoryProvider('baileys', ledger);
    const b = new MemoryProvider('twilio', ledger);
    let active: WhatsAppProvider = a;
    const worker = new OutboxWorker({
      store,
      clock: systemClock,
      log: createLogger({ level: 'silent', stdout: false }),
      activeProvider: () => active,
      provider: (n) => (n === 'baileys' ? a : b),
      pace: () => ({ perMinute: 100_000, perDay: 1_000_000 }),
      mediaPath: (p) => p,
      gapMs: [0, 2],
      backoffMs: [5, 10],
    });
    // Switch while a send is in flight: the in-flight one finishes on A, the rest go through B.
    a.onSend = () => {
      if (ledger.length === 40) active = b;
    };
    worker.start();
    const total = CHATS * PER_CHAT;
    const deadline = Date.now() + 60_000;
    while (store.count('queued') + store.count('sending') > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    const rows = store.sqlite.prepare('select * from wa_messages order by id').all() as MessageRow[];
    close();
    const cids = ledger.map((l) => l.cid);
    const viaA = ledger.filter((l) => l.provider === 'baileys').length;
    console.log(
      `[whatsapp provider switch] messages=${total} sent=${ledger.length} via baileys=${viaA} via twilio=${ledger.length - viaA} duplicates=${cids.length - new Set(cids).size}`,
    );
    expect(new Set(cids).size).toBe(cids.length);
    expect(viaA).toBeGreaterThan(0);
    expect(ledger.length - viaA).toBeGreaterThan(0);
    expect(rows.filter((r) => r.status !== 'sent' && r.status !== 'failed')).toHaveLength(0);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(ledger.length);
    for (const r of rows.filter((x) => x.status === 'sent'))
      expect(r.provider).toBe(ledger.find((l) => l.cid === r.client_id)!.provider);
    for (let c = 0; c < CHATS; c++) {
      const got = ledger.map((l) => l.body).filter((x) => x.startsWith(`chat${c} `));
      expect(got).toEqual([...got].sort());
    }
  }, 90_000);
});

/** An in-memory provider: records each send; its " bad" bodies are refused for good. */
class MemoryProvider implements WhatsAppProvider {
  readonly capabilities = { templates: false, window24h: false, idempotentResend: true, qrLogin: false };
  private readonly emitter = new ProviderEmitter();
  onSend?: () => void;
  private seq = 0;
  constructor(
    readonly name: ProviderName,
    private readonly ledger: Array<{ provider: ProviderName; cid: string; body: string }>,
  ) {}
  on = this.emitter.on.bind(this.emitter);
  async start() {}
  async stop() {}
  status(): ConnectionState {
    return {
      provider: this.name,
      state: 'open',
      qr: null,
      pairingCode: null,
      me: null,
      reason: null,
      nextRetryAt: null,
      since: 0,
    };
  }
  async sendText(req: { clientMessageId: string; text: string }): Promise<SendResult> {
    this.onSend?.();
    await new Promise((r) => setTimeout(r, 1));
    if (req.text.endsWith(' bad')) throw new ProviderError('invalid_recipient', 'bad', { retryable: false });
    this.ledger.push({ provider: this.name, cid: req.clientMessageId, body: req.text });
    return { providerMessageId: `${this.name}-${++this.seq}`, status: 'sent', at: Date.now() };
  }
  sendMedia(): Promise<SendResult> {
    throw new Error('not used');
  }
  sendTemplate(): Promise<SendResult> {
    throw new Error('not used');
  }
  async reconcile() {
    return { outcome: 'unknown' as const };
  }
}
