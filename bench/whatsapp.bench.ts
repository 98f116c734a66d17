/**
 * WhatsApp at scale, on the demo database of 100,000 customers and 1,000,000 messages:
 * - inbox conversations list (first pages, deeper pages, unread only, search) and thread open
 *   (latest page, an older page) through the API dispatcher — target p95 < 20 ms;
 * - inbound → visible: a signed Twilio webhook POST on the public server until the
 *   `whatsapp.message` event reaches an open `/api/events` WebSocket — target p95 < 100 ms;
 * - outbox scheduling overhead per message (the worker's claim and bookkeeping, not the send),
 *   and the API's send → queued time, with the Twilio provider against the fake on loopback.
 * The demo database is built once and cached in the temp folder (keyed by migrations and the
 * generator). WA_BENCH_CUSTOMERS=N for a smaller run.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createCore } from '../src-main/core';
import { closeDb, openDb } from '../src-main/db/client';
import { generateDemoData } from '../src-main/crm/demo-data';
import { loadConfig } from '../src-main/platform/config';
import { createLogger } from '../src-main/platform/logger';
import { resolvePaths } from '../src-main/platform/paths';
import { WHATSAPP } from '../src-main/whatsapp/module';
import { startFakeTwilio } from '../tests/fakes/twilio-rest';
import { twilioSignature } from '../tests/helpers/twilio';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CUSTOMERS = Number(process.env.WA_BENCH_CUSTOMERS ?? 100_000);
const OPTIONS = { customers: CUSTOMERS, messages: CUSTOMERS * 10, calls: 1000, seed: 42 };
const TARGETS = { list: 20, search: 20, thread: 20, inbound_visible: 100 };
const ACCOUNT_SID = 'AC' + 'e'.repeat(32);
const AUTH_TOKEN = 'bench-auth-token';
const PUBLIC_HOST = 'bench.example.test';
const FROM = '+97233762000';

function cacheDir(): string {
  const migrations = readFileSync(path.join(ROOT, 'src-main/db/migrations/meta/_journal.json'), 'utf8');
  const generator = readFileSync(path.join(ROOT, 'src-main/crm/demo-data.ts'), 'utf8');
  const key = createHash('sha256')
    .update(migrations)
    .update(generator)
    .update(JSON.stringify(OPTIONS))
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(os.tmpdir(), `agentlocator-bench-wa-${key}`);
  for (const d of readdirSync(os.tmpdir())) {
    if (d.startsWith('agentlocator-bench-wa-') && path.join(os.tmpdir(), d) !== dir)
      rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
  }
  return dir;
}

function ensureDemo(dir: string): { built: boolean; buildMs: number | null } {
  const marker = path.join(dir, 'demo.json');
  if (existsSync(marker)) return { built: false, buildMs: null };
  rmSync(dir, { recursive: true, force: true });
  const paths = resolvePaths(dir, ROOT);
  const db = openDb({ file: paths.dbFile, migrationsDir: paths.migrationsDir });
  try {
    const summary = generateDemoData(db, OPTIONS);
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    writeFileSync(marker, JSON.stringify(summary));
    return { built: true, buildMs: summary.ms };
  } finally {
    closeDb(db);
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const stats = (xs: number[]) => ({
  n: xs.length,
  p50: +pct(xs, 50).toFixed(2),
  p95: +pct(xs, 95).toFixed(2),
  max: +Math.max(0, ...xs).toFixed(2),
});

export default async function whatsappBench() {
  const cached = cacheDir();
  const demo = ensureDemo(cached);
  // Work on a copy: the bench writes (inbound messages, sends) and the cache stays clean.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-bench-wa-run-'));
  for (const f of readdirSync(cached)) cpSync(path.join(cached, f), path.join(dir, f), { recursive: true });
  const fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const config = loadConfig({
    AGENTLOCATOR_DATA_DIR: dir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOCAL_PORT: '0',
    LOG_LEVEL: 'error',
    PUBLIC_HOST,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: fake.url,
    TWILIO_WHATSAPP_FROM: FROM,
    WHATSAPP_PROVIDER: 'twilio',
    WHATSAPP_SEND_GAP_MS: '0-1',
    WEBHOOK_RATE_LIMIT_PER_MIN: '100000',
    PUBLIC_RATE_LIMIT_PER_MIN: '100000',
    NGROK_SERVER_ADDR: '127.0.0.1:9',
  });
  const core = await createCore({
    config,
    mode: 'browser',
    logger: createLogger({ level: 'warn', stdout: !!process.env.BENCH_VERBOSE }),
    appRoot: ROOT,
  });
  const ctx = { transport: 'internal' as const, requestId: 'bench' };
  const sqlite = core.db.$client;
  try {
    const publicUrl = (await core.startPublic()).replace('localhost', '127.0.0.1');
    const local = await core.startLocal();
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const sample = sqlite
      .prepare(
        `select c.customer_id as id, cu.name as name from wa_contacts c join customers cu on cu.id = c.customer_id
         where c.id % 499 = 0 limit 200`,
      )
      .all() as Array<{ id: number; name: string }>;

    const time = async (method: string, input: unknown) => {
      const t0 = performance.now();
      const r = await core.dispatch(method, input, ctx);
      const ms = performance.now() - t0;
      if (!r.ok) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
      return { ms, data: r.data };
    };
    const run = async (n: number, make: () => [string, unknown]) => {
      for (let i = 0; i < 10; i++) await time(...make());
      const xs: number[] = [];
      for (let i = 0; i < n; i++) xs.push((await time(...make())).ms);
      return stats(xs);
    };

    const listFirst = await run(300, () => [
      'whatsapp.conversations',
      { page: 1 + Math.floor(rnd() * 3), limit: 30 },
    ]);
    const listDeep = await run(200, () => [
      'whatsapp.conversations',
      { page: 1 + Math.floor(rnd() * rnd() * 100), limit: 30 },
    ]);
    const listUnread = await run(200, () => ['whatsapp.conversations', { unreadOnly: true, limit: 30 }]);
    const listSearch = await run(200, () => [
      'whatsapp.conversations',
      { q: pick(sample).name.split(' ').at(-1), limit: 30 },
    ]);
    const thread = await run(300, () => ['whatsapp.messages', { customerId: pick(sample).id, limit: 50 }]);
    const olderIds = sample.slice(0, 50).map((s) => {
      const row = sqlite
        .prepare(
          'select id from wa_messages where customer_id = ? order by created_at desc, id desc limit 1 offset 3',
        )
        .get(s.id) as { id: number } | undefined;
      return { customerId: s.id, beforeId: row?.id };
    });
    const threadOlder = await run(200, () => {
      const o = pick(olderIds.filter((x) => x.beforeId));
      return ['whatsapp.messages', { customerId: o.customerId, beforeId: o.beforeId, limit: 50 }];
    });

    // Inbound → visible in the open inbox: signed webhook → whatsapp.message on /api/events.
    const ws = new WebSocket(`ws://127.0.0.1:${local.port}/api/events?token=${local.token}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const waiting = new Map<string, (t: number) => void>();
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { name?: string; payload?: { message?: { text?: string } } };
      if (msg.name !== 'whatsapp.message') return;
      const key = msg.payload?.message?.text ?? '';
      waiting.get(key)?.(performance.now());
    });
    const inboundMs: number[] = [];
    const INBOUND = 200;
    const senders: number[] = [];
    for (let i = 0; i < INBOUND + 10; i++) {
      const phone = `+97258${String(1000000 + i)}`;
      const text = `bench inbound ${i}`;
      const params: Record<string, string> = {
        MessageSid: `SM${'d'.repeat(24)}${i.toString(16).padStart(8, '0')}`,
        AccountSid: ACCOUNT_SID,
        From: `whatsapp:${phone}`,
        To: `whatsapp:${FROM}`,
        Body: text,
        NumMedia: '0',
        ProfileName: 'לקוח בדיקה',
        WaId: phone.slice(1),
      };
      const pathName = '/webhook/whatsapp/inbound';
      const sig = twilioSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}${pathName}`, params);
      const seen = new Promise<number>((resolve) => waiting.set(text, resolve));
      const t0 = performance.now();
      const res = await fetch(`${publicUrl}${pathName}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
        body: new URLSearchParams(params).toString(),
      });
      if (res.status !== 200) throw new Error(`inbound webhook answered ${res.status}`);
      const answer = await res.text();
      const t1 = await Promise.race([seen, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
      waiting.delete(text);
      if (t1 < 0) {
        const stored = sqlite.prepare('select count(*) n from wa_messages where body = ?').get(text) as {
          n: number;
        };
        throw new Error(
          `inbound ${i} never reached the events socket (stored: ${stored.n}, answer: ${answer})`,
        );
      }
      if (i >= 10) inboundMs.push(t1 - t0);
      senders.push(i);
    }
    ws.close();

    // Outbox: send → queued through the API, then the worker's overhead per message.
    const wa = core.services.require(WHATSAPP);
    await core.dispatch('whatsapp.settings.set', { perMinute: 60, perDay: 10_000 }, ctx);
    const before = wa.service.outbox.overheadMs.length;
    const enqueueMs: number[] = [];
    const SENDS = 60;
    for (let i = 0; i < SENDS; i++) {
      const phone = `+97258${String(1000000 + (i % INBOUND))}`;
      enqueueMs.push((await time('whatsapp.send', { phone, text: `bench reply ${i}` })).ms);
    }
    const deadline = Date.now() + 60_000;
    while (fake.messages.length < SENDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const overhead = wa.service.outbox.overheadMs.slice(before);

    const plan = (sql: string, ...p: unknown[]) =>
      (sqlite.prepare(`explain query plan ${sql}`).all(...p) as Array<{ detail: string }>).map(
        (r) => r.detail,
      );
    const counts = Object.fromEntries(
      ['customers', 'wa_contacts', 'wa_messages'].map((t) => [
        t,
        (sqlite.prepare(`select count(*) n from ${t}`).get() as { n: number }).n,
      ]),
    );
    const listP95 = Math.max(listFirst.p95, listDeep.p95, listUnread.p95);
    const threadP95 = Math.max(thread.p95, threadOlder.p95);
    const inbound = stats(inboundMs);
    return {
      dataset: counts,
      demo,
      targets_ms_p95: TARGETS,
      conversations_first_pages: listFirst,
      conversations_deep_pages: listDeep,
      conversations_unread: listUnread,
      conversations_search: listSearch,
      thread_open: thread,
      thread_older_page: threadOlder,
      inbound_to_visible: inbound,
      send_to_queued: stats(enqueueMs),
      outbox_overhead_per_message: stats(overhead),
      outbox_sent: fake.messages.length,
      pass: {
        list: listP95 < TARGETS.list,
        // The CRM's own search (crm.customers.list) and the matching conversations.
        search: listSearch.p95 < TARGETS.search,
        thread: threadP95 < TARGETS.thread,
        inbound_visible: inbound.p95 < TARGETS.inbound_visible,
      },
      query_plans: {
        conversations: plan(
          'select * from wa_contacts where business_id = 1 and last_message_at is not null order by last_message_at desc, id desc limit 30 offset 0',
        ),
        conversations_unread: plan(
          'select * from wa_contacts where business_id = 1 and last_message_at is not null and unread_count > 0 order by last_message_at desc, id desc limit 30',
        ),
        thread: plan(
          'select * from wa_messages where customer_id = ? order by created_at desc, id desc limit 51',
          1,
        ),
        outbox_due: plan(
          `select * from wa_messages m where m.status = 'queued' and m.direction = 'out' and coalesce(m.next_attempt_at, 0) <= ?
           and not exists (select 1 from wa_messages e where e.contact_id = m.contact_id and e.id < m.id
           and e.direction = 'out' and e.status in ('queued', 'sending')) order by m.id limit 20`,
          Date.now(),
        ),
      },
    };
  } finally {
    await core.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
