/**
 * CRM at scale, measured in the core (dispatch an API call → validated result):
 * customer search, customer list page, customer timeline and the dashboard on a demo database
 * of 100,000 customers, 1,000,000 WhatsApp messages and 200,000 calls.
 * Targets: search / list page / timeline p95 < 20 ms, dashboard < 50 ms; reports (7 days to a
 * year) p95 < 300 ms; the calendar's week (counts per day and 4 items each) and the deals board
 * (with or without filters) p95 < 100 ms.
 * The demo database is built once (~20 s) and cached in the temp folder, keyed by the migrations
 * and the generator's options; stale caches are removed. CRM_BENCH_CUSTOMERS=N for a smaller run.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../src-main/core';
import { closeDb, openDb } from '../src-main/db/client';
import { generateDemoData } from '../src-main/crm/demo-data';
import { loadConfig } from '../src-main/platform/config';
import { createLogger } from '../src-main/platform/logger';
import { formatPhone } from '../src-main/platform/phone';
import { resolvePaths } from '../src-main/platform/paths';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CUSTOMERS = Number(process.env.CRM_BENCH_CUSTOMERS ?? 100_000);
const OPTIONS = { customers: CUSTOMERS, messages: CUSTOMERS * 10, calls: CUSTOMERS * 2, seed: 42 };
const TARGETS = {
  search: 20,
  list: 20,
  timeline: 20,
  dashboard: 50,
  reports: 300,
  calendar: 100,
  board: 100,
};

function cacheDir(): string {
  const migrations = readFileSync(path.join(ROOT, 'src-main/db/migrations/meta/_journal.json'), 'utf8');
  const generator = readFileSync(path.join(ROOT, 'src-main/crm/demo-data.ts'), 'utf8');
  const key = createHash('sha256')
    .update(migrations)
    .update(generator)
    .update(JSON.stringify(OPTIONS))
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(os.tmpdir(), `agentlocator-bench-crm-${key}`);
  for (const d of readdirSync(os.tmpdir())) {
    if (d.startsWith('agentlocator-bench-crm-') && path.join(os.tmpdir(), d) !== dir)
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
    writeFileSync(marker, JSON.stringify(summary));
    return { built: true, buildMs: summary.ms };
  } finally {
    closeDb(db);
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const stats = (xs: number[]) => ({
  n: xs.length,
  p50: +pct(xs, 50).toFixed(2),
  p95: +pct(xs, 95).toFixed(2),
  max: +Math.max(...xs).toFixed(2),
});

export default async function crmBench() {
  const dir = cacheDir();
  const demo = ensureDemo(dir);
  const config = loadConfig({ AGENTLOCATOR_DATA_DIR: dir, PORT: '0', LOCAL_PORT: '0', LOG_LEVEL: 'error' });
  const core = await createCore({
    config,
    mode: 'browser',
    logger: createLogger({ level: 'error', stdout: false }),
    appRoot: ROOT,
  });
  const ctx = { transport: 'internal' as const, requestId: 'bench' };
  const sqlite = core.db.$client;
  try {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const sample = sqlite
      .prepare(
        `select id, name, phone, email from customers where phone is not null and id % 997 = 0 limit 100`,
      )
      .all() as Array<{ id: number; name: string; phone: string; email: string | null }>;
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;

    const time = async (method: string, input: unknown) => {
      const t0 = core.clock.monotonic();
      const r = await core.dispatch(method, input, ctx);
      const ms = core.clock.monotonic() - t0;
      if (!r.ok) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
      return ms;
    };
    const run = async (n: number, make: () => [string, unknown]) => {
      for (let i = 0; i < 10; i++) await time(...make()); // warm the page cache and statement cache
      const xs: number[] = [];
      for (let i = 0; i < n; i++) xs.push(await time(...make()));
      return stats(xs);
    };

    // What an owner types: a last name, a full name, a phone in any form or part of it, an email.
    const searchQuery = (): string => {
      const c = pick(sample);
      const [first, last] = c.name.split(' ');
      const national = formatPhone(c.phone);
      const options = [
        last ?? first!,
        c.name,
        national,
        national.replace('-', ''),
        c.phone,
        c.phone.slice(-7),
        `${first} ${(last ?? '').slice(0, 2)}`,
        c.email?.split('@')[0] ?? c.name,
        national.slice(0, 6),
      ];
      return pick(options);
    };
    const search = await run(300, () => ['crm.customers.list', { q: searchQuery(), limit: 25 }]);
    const sorts = ['created', 'name', 'lastContact'] as const;
    const statuses = [undefined, 'lead', 'customer', 'inactive'] as const;
    const list = await run(300, () => [
      'crm.customers.list',
      {
        page: 1 + Math.floor(rnd() * rnd() * 200),
        limit: pick([25, 50, 100]),
        sort: pick([...sorts]),
        dir: pick(['asc', 'desc']),
        ...(rnd() < 0.4 ? { status: pick([...statuses]) } : {}),
      },
    ]);
    const timeline = await run(300, () => ['crm.timeline', { customerId: pick(sample).id, limit: 30 }]);
    const dashboard = await run(50, () => ['crm.dashboard', undefined]);
    const globalSearch = await run(100, () => ['crm.search', { q: searchQuery() }]);
    const customerPage = await run(200, () => ['crm.customers.get', { id: pick(sample).id }]);
    const DAY = 86_400_000;
    const now = core.clock.now();
    // One range after the other (never interleaved: each timing is one call alone).
    const reportsBy: Record<string, ReturnType<typeof stats>> = {};
    for (const days of [7, 30, 90, 365]) {
      reportsBy[`d${days}`] = await run(days > 90 ? 20 : 40, () => [
        'crm.reports',
        { from: now - days * DAY, to: now + DAY },
      ]);
    }
    const reports = await run(80, () => {
      const days = pick([7, 30, 30, 30, 90, 365]);
      return ['crm.reports', { from: now - days * DAY, to: now + DAY }];
    });
    const calendar = await run(100, () => {
      const at = now + Math.floor((rnd() - 0.5) * 8) * 7 * DAY;
      return ['crm.calendar', { from: at - 3 * DAY, to: at + 4 * DAY, perDay: 4 }];
    });
    const surnames = sample.map((c) => c.name.split(' ').at(-1)!);
    const board = await run(100, () => [
      'crm.deals.board',
      pick([
        { limitPerStage: 30 },
        { limitPerStage: 30, q: pick(surnames) },
        { limitPerStage: 30, q: 'מזגן', minAgorot: 1000_00 },
        { limitPerStage: 30, minAgorot: 500_00, maxAgorot: 5000_00, createdFrom: now - 90 * DAY },
      ]),
    ]);

    const plan = (sql: string, ...p: unknown[]) =>
      (sqlite.prepare(`explain query plan ${sql}`).all(...p) as Array<{ detail: string }>).map(
        (r) => r.detail,
      );
    const counts = Object.fromEntries(
      ['customers', 'wa_messages', 'calls', 'call_turns', 'deals', 'tasks', 'documents', 'payments'].map(
        (t) => [t, (sqlite.prepare(`select count(*) n from ${t}`).get() as { n: number }).n],
      ),
    );
    return {
      dataset: counts,
      demo,
      targets_ms_p95: TARGETS,
      customer_search: search,
      customer_list_page: list,
      customer_timeline: timeline,
      dashboard,
      global_search: globalSearch,
      customer_page: customerPage,
      reports,
      reports_by_range: reportsBy,
      calendar_week: calendar,
      deals_board: board,
      pass: {
        search: search.p95 < TARGETS.search,
        list: list.p95 < TARGETS.list,
        timeline: timeline.p95 < TARGETS.timeline,
        dashboard: dashboard.max < TARGETS.dashboard,
        reports: reports.p95 < TARGETS.reports,
        calendar: calendar.p95 < TARGETS.calendar,
        board: board.p95 < TARGETS.board,
      },
      query_plans: {
        search_phone: plan(
          `select count(*) from customers_fts where customers_fts match ?`,
          'phones : "0501234"',
        ),
        list_name_by_status: plan(
          `select id from customers c where c.business_id = 1 and c.status = ? order by c.name, c.id limit 25`,
          'lead',
        ),
        timeline_messages: plan(
          `select id from wa_messages where customer_id = ? order by created_at desc, id desc limit 31`,
          1,
        ),
        dashboard_unread: plan(`select count(*) from wa_messages where business_id = 1 and unread = 1`),
        reports_calls: plan(
          `select started_at / 3600000 h, count(*), sum(mode = 'stream' and status = 'completed') from calls
           where business_id = 1 and started_at >= ? and started_at < ? and engine <> 'test' group by h`,
          now - 30 * DAY,
          now,
        ),
        reports_turns: plan(
          `select created_at / 3600000 h, count(*), sum(t_total_ms) from call_turns
           where business_id = 1 and created_at >= ? and created_at < ? and mode = 'stream' and call_sid not like 'TEST%' group by h`,
          now - 30 * DAY,
          now,
        ),
      },
    };
  } finally {
    await core.stop();
  }
}
