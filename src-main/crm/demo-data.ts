/**
 * A realistic Hebrew demo business for screenshots, trials and benchmarks: customers with
 * Hebrew names and unique Israeli mobile numbers, deals, tasks and appointments, calls with
 * turns, WhatsApp threads, invoices/receipts with gapless numbers, payments and contracts.
 * Deterministic for a given seed and `now`. Written with prepared statements in batched
 * transactions (100k customers / 1M messages / 200k calls in well under a minute).
 */
import type { Db } from '../db/client';
import { israelDayStart } from './sql';

export interface DemoDataOptions {
  customers: number;
  /** WhatsApp messages in total (default 10 per customer). */
  messages?: number;
  /** Calls in total (default 2 per customer). */
  calls?: number;
  deals?: number;
  tasks?: number;
  /** Invoices, receipts and proposals in total. */
  documents?: number;
  contracts?: number;
  seed?: number;
  /** Epoch ms the demo is built around (default: now). */
  now?: number;
  /** Delete existing CRM data first; otherwise a database that already has customers is refused. */
  reset?: boolean;
}

export interface DemoDataSummary {
  customers: number;
  deals: number;
  tasks: number;
  calls: number;
  callTurns: number;
  messages: number;
  documents: number;
  documentLines: number;
  payments: number;
  contracts: number;
  ms: number;
}

const BUSINESS_ID = 1;
/** The demo business's own line: every call's other end. */
const BUSINESS_PHONE = '+97239555123';
const DAY = 86_400_000;
const BATCH = 20_000;

/** mulberry32: small, fast, good enough for demo data; deterministic per seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(arr: readonly T[]): T => arr[Math.floor(next() * arr.length)] as T,
    chance: (p: number) => next() < p,
    hex: (n: number) => {
      let s = '';
      while (s.length < n)
        s += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      return s.slice(0, n);
    },
  };
}
type Rng = ReturnType<typeof prng>;

const FIRST = [
  ['יוסי', 'yossi'],
  ['דני', 'dani'],
  ['משה', 'moshe'],
  ['אבי', 'avi'],
  ['רונית', 'ronit'],
  ['מיכל', 'michal'],
  ['שרה', 'sara'],
  ['דוד', 'david'],
  ['נועה', 'noa'],
  ['תמר', 'tamar'],
  ['איתי', 'itay'],
  ['עומר', 'omer'],
  ['יעל', 'yael'],
  ['אורי', 'ori'],
  ['שירה', 'shira'],
  ['חיים', 'haim'],
  ['אסתר', 'ester'],
  ['רחל', 'rachel'],
  ['גיל', 'gil'],
  ['ליאור', 'lior'],
  ['אלון', 'alon'],
  ['הילה', 'hila'],
  ['עדי', 'adi'],
  ['רוני', 'roni'],
  ['מאיר', 'meir'],
  ['יצחק', 'itzik'],
  ['אליעזר', 'eliezer'],
  ['שלומי', 'shlomi'],
  ['סיגל', 'sigal'],
  ['אורית', 'orit'],
  ['קרן', 'keren'],
  ['ענבל', 'inbal'],
  ['ניר', 'nir'],
  ['עמית', 'amit'],
  ['טל', 'tal'],
  ['אייל', 'eyal'],
  ['מוחמד', 'muhammad'],
  ['אחמד', 'ahmad'],
  ['סמיר', 'samir'],
  ['ראנה', 'rana'],
  ['ולדימיר', 'vladimir'],
  ['אולגה', 'olga'],
  ['יהודית', 'yehudit'],
  ['בתיה', 'batya'],
  ['צביקה', 'tzvika'],
  ['נתן', 'natan'],
  ['אביגיל', 'avigail'],
  ['מירב', 'merav'],
] as const;
const LAST = [
  ['כהן', 'cohen'],
  ['לוי', 'levi'],
  ['מזרחי', 'mizrahi'],
  ['פרץ', 'peretz'],
  ['ביטון', 'biton'],
  ['דהן', 'dahan'],
  ['אברהם', 'avraham'],
  ['פרידמן', 'friedman'],
  ['אזולאי', 'azulay'],
  ['מלכה', 'malka'],
  ['חדד', 'hadad'],
  ['גבאי', 'gabay'],
  ['שפירא', 'shapira'],
  ['אוחיון', 'ohayon'],
  ['יוסף', 'yosef'],
  ['קליין', 'klein'],
  ['רוזנברג', 'rosenberg'],
  ['אשכנזי', 'ashkenazi'],
  ['בן דוד', 'bendavid'],
  ['עמר', 'amar'],
  ['גולן', 'golan'],
  ['ברק', 'barak'],
  ['שמעוני', 'shimoni'],
  ['טל', 'tal'],
  ['נחום', 'nahum'],
  ['סעדה', 'saada'],
  ['חביב', 'habib'],
  ['קוזלוב', 'kozlov'],
  ['וייס', 'weiss'],
  ['אלמוג', 'almog'],
  ['ששון', 'sasson'],
  ['יעקב', 'yaakov'],
  ['זכאי', 'zakai'],
  ['בוזגלו', 'bozaglo'],
  ['נגר', 'nagar'],
  ['הלוי', 'halevi'],
] as const;
const CITIES = [
  'תל אביב',
  'חיפה',
  'ירושלים',
  'ראשון לציון',
  'פתח תקווה',
  'אשדוד',
  'נתניה',
  'באר שבע',
  'חולון',
  'רמת גן',
  'רחובות',
  'כפר סבא',
  'הרצליה',
  'מודיעין',
  'נצרת',
];
const STREETS = [
  'הרצל',
  'ויצמן',
  'ז׳בוטינסקי',
  'בן גוריון',
  'רוטשילד',
  'הנביאים',
  'העצמאות',
  'אחד העם',
  'סוקולוב',
  'הגפן',
  'התאנה',
  'הדקל',
];
const EMAIL_DOMAINS = [
  'gmail.com',
  'walla.co.il',
  'hotmail.com',
  'yahoo.com',
  'bezeqint.net',
  'outlook.co.il',
];
const TAGS = ['VIP', 'חוזר', 'המלצה', 'עסקי', 'פרטי', 'דחוף', 'מנוי שירות', 'צפון', 'מרכז', 'דרום'];
const PREFIXES = ['50', '52', '53', '58'];
const SERVICES = [
  ['התקנת מזגן עילי', 180_000],
  ['תיקון מזגן', 45_000],
  ['ניקוי וחיטוי מזגן', 25_000],
  ['מילוי גז', 35_000],
  ['החלפת מדחס', 220_000],
  ['התקנת מיני מרכזי', 650_000],
  ['ביקור טכנאי', 25_000],
  ['מנוי שירות שנתי', 90_000],
  ['פירוק והרכבה', 60_000],
  ['החלפת כרטיס אלקטרוני', 75_000],
] as const;
const INBOUND = [
  'שלום, המזגן מטפטף מים, אפשר לתאם טכנאי?',
  'היי, כמה עולה ניקוי מזגן?',
  'מתי אתם יכולים להגיע השבוע?',
  'תודה רבה, הכל עובד מצוין',
  'אפשר לקבל הצעת מחיר למיני מרכזי לדירת 4 חדרים?',
  'הטכנאי כבר בדרך?',
  'המזגן לא מקרר',
  'אפשר לשלם בביט?',
  'אני צריך חשבונית על התיקון',
  'מה שעות הפעילות שלכם?',
  'יש לכם אחריות על ההתקנה?',
  'אפשר לדחות את התור ליום חמישי?',
  'שלחתי תמונה של השלט',
  'מעולה, סגרנו',
];
const OUTBOUND = [
  'שלום! קיבלנו את הפנייה, נחזור אליך היום',
  'הטכנאי יגיע מחר בין 10:00 ל-12:00',
  'מחיר ניקוי מזגן עילי: 250 ₪ כולל מע״מ',
  'מצורפת הצעת המחיר, נשמח לענות על שאלות',
  'התור נקבע, תודה!',
  'אנחנו פתוחים א׳-ה׳ 8:00-18:00, ו׳ 8:00-13:00',
  'החשבונית נשלחה למייל',
  'כן, אפשר לשלם בביט או בכרטיס אשראי',
  'האחריות על ההתקנה היא לשנה',
  'בשמחה! יום נעים',
];
const CALLER_TURNS = [
  'שלום, המזגן שלי לא עובד',
  'אני רוצה לקבוע טכנאי',
  'כמה זה עולה?',
  'מחר בבוקר מתאים לי',
  'השם שלי הוא',
  'תודה, להתראות',
  'יש לי שאלה על החשבונית',
  'אפשר לדבר עם אבי?',
];
const AGENT_TURNS = [
  'שלום, הגעתם לאבי מיזוג אוויר, איך אפשר לעזור?',
  'בשמחה, לאיזה יום נוח לך?',
  'ביקור טכנאי עולה 250 ₪',
  'קבעתי לך תור למחר ב-10:00',
  'אפשר את שמך המלא?',
  'תודה, יום טוב!',
  'אעביר את הפרטים לאבי והוא יחזור אליך',
];
const SUMMARIES = [
  'הלקוח ביקש לתאם טכנאי לתיקון מזגן',
  'שאלה על מחיר ניקוי מזגן',
  'נקבע תור להתקנה',
  'בירור לגבי חשבונית',
  'ביקש שאבי יחזור אליו',
  'ליד חדש: מתעניין במיני מרכזי',
];
const TASK_TITLES = [
  'לחזור ללקוח',
  'לשלוח הצעת מחיר',
  'לתאם ביקור טכנאי',
  'להזמין חלקים',
  'לבדוק תשלום',
  'להתקשר לגבי אחריות',
];
const APPT_TITLES = ['ביקור טכנאי', 'התקנת מזגן', 'ניקוי מזגנים', 'בדיקת מערכת', 'תיקון נזילה'];
const DEAL_TITLES = [
  'התקנת מיני מרכזי',
  'החלפת 3 מזגנים',
  'מנוי שירות שנתי',
  'מיזוג למשרד',
  'התקנת מזגן בחדר שינה',
  'שדרוג מערכת',
];

/** Splits `total` into `n` non-negative integers with a skewed (realistic) spread; exact sum. */
function spread(rng: Rng, total: number, n: number, eligible: (i: number) => boolean): Uint32Array {
  const out = new Uint32Array(n);
  if (n === 0 || total === 0) return out;
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = eligible(i) ? 0.15 + rng.next() * rng.next() * 2 : 0;
    w[i] = r;
    sum += r;
  }
  if (sum === 0) return out;
  let given = 0;
  for (let i = 0; i < n; i++) {
    const c = Math.floor((total * w[i]!) / sum);
    out[i] = c;
    given += c;
  }
  for (let i = 0; given < total; i = (i + 1) % n) {
    if (w[i]! > 0) {
      out[i]!++;
      given++;
    }
  }
  return out;
}

/** The i-th unique Israeli mobile number: a bijection of i onto 4 prefixes × 10^7 subscribers. */
function mobile(i: number, seed: number): string {
  const prefix = PREFIXES[i % PREFIXES.length]!;
  const k = Math.floor(i / PREFIXES.length);
  const sub =
    (Number((BigInt(k) * 2654435761n + BigInt(seed) * 7919n) % 10_000_000n) + 10_000_000) % 10_000_000;
  return `+972${prefix}${String(sub).padStart(7, '0')}`;
}

export function generateDemoData(
  db: Db,
  opts: DemoDataOptions,
  log: (msg: string) => void = () => {},
): DemoDataSummary {
  const started = performance.now();
  const sqlite = db.$client;
  const N = Math.max(0, Math.floor(opts.customers));
  if (N > 2_000_000) throw new Error('customers: at most 2,000,000');
  const seed = opts.seed ?? 42;
  const now = opts.now ?? Date.now();
  const rng = prng(seed);
  const counts = {
    messages: opts.messages ?? N * 10,
    calls: opts.calls ?? N * 2,
    deals: opts.deals ?? Math.round(N * 0.3),
    tasks: opts.tasks ?? Math.round(N * 0.5),
    documents: opts.documents ?? Math.round(N * 0.3),
    contracts: opts.contracts ?? Math.round(N * 0.02),
  };

  const existing = (sqlite.prepare('select count(*) as n from customers').get() as { n: number }).n;
  if (existing > 0 && !opts.reset) {
    throw new Error(
      `the database already has ${existing} customers; pass --reset to replace them with demo data`,
    );
  }

  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('foreign_keys = OFF');
  try {
    if (opts.reset) {
      // Issued documents are never deleted (database triggers): the reset alone lifts that, inside
      // its own transaction, through the 'billing.erase_all' settings row.
      sqlite.exec(`
        begin;
        insert into settings (key, value) values ('billing.erase_all', 'true') on conflict (key) do nothing;
        delete from call_turns; delete from payments; delete from document_lines; delete from documents;
        delete from settings where key = 'billing.erase_all';
        delete from document_sequences; delete from contracts; delete from contract_templates;
        delete from tasks; delete from wa_messages; delete from wa_contacts; delete from calls; delete from deals; delete from customers;
        commit;`);
    }
    writeBusiness(sqlite, now);

    const summary: DemoDataSummary = {
      customers: 0,
      deals: 0,
      tasks: 0,
      calls: 0,
      callTurns: 0,
      messages: 0,
      documents: 0,
      documentLines: 0,
      payments: 0,
      contracts: 0,
      ms: 0,
    };
    const tx = <T>(fn: () => T): T => sqlite.transaction(fn)();
    const phase = (name: string, t0: number, n: number) =>
      log(`${name}: ${n.toLocaleString('en-US')} in ${Math.round(performance.now() - t0)} ms`);

    // Customers ------------------------------------------------------------------------------
    let t0 = performance.now();
    const custCreated = new Float64Array(N);
    const custPhone: (string | null)[] = new Array<string | null>(N);
    const custName: string[] = new Array<string>(N);
    // Multi-row statements: FTS5 flushes its pending index at every statement (the trigger's
    // savepoint), so one statement per 2000 customers keeps the search index build cheap.
    const ROWS = 2000;
    const customerSql = (n: number) =>
      `insert into customers (id, business_id, name, phone, email, status, source, tags, notes, address, created_at, updated_at) values ` +
      Array.from({ length: n }, () => `(?, ${BUSINESS_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).join(', ');
    const insCustomers = sqlite.prepare(customerSql(ROWS));
    const span = 730 * DAY;
    let pending: unknown[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      const n = pending.length / 11;
      (n === ROWS ? insCustomers : sqlite.prepare(customerSql(n))).run(pending);
      pending = [];
    };
    for (let from = 0; from < N; from += BATCH) {
      tx(() => {
        for (let i = from; i < Math.min(N, from + BATCH); i++) {
          const [fh, fl] = rng.pick(FIRST);
          const [lh, ll] = rng.pick(LAST);
          const name = `${fh} ${lh}`;
          // Mostly old customers, some created today (the dashboard's new leads).
          const today = i >= N - Math.max(1, Math.round(N * 0.001));
          const created = today
            ? now - rng.int(0, Math.min(8 * 3_600_000, now - israelDayStart(now)))
            : now - span + Math.floor((i / N) * (span - DAY)) + rng.int(0, 3_600_000);
          const phone = rng.chance(0.02) ? null : mobile(i, seed);
          const email =
            phone === null || rng.chance(0.7) ? `${fl}.${ll}${i % 1000}@${rng.pick(EMAIL_DOMAINS)}` : null;
          const st = rng.next();
          const status = today || st < 0.4 ? 'lead' : st < 0.9 ? 'customer' : 'inactive';
          const sr = rng.next();
          const source =
            sr < 0.35 ? 'phone' : sr < 0.65 ? 'whatsapp' : sr < 0.8 ? 'manual' : sr < 0.92 ? 'import' : 'web';
          const tags: string[] = [];
          if (rng.chance(0.35)) tags.push(rng.pick(TAGS));
          if (rng.chance(0.1)) {
            const t = rng.pick(TAGS);
            if (!tags.includes(t)) tags.push(t);
          }
          const notes = rng.chance(0.2)
            ? `${rng.pick(['מעדיף שיחות בבוקר', 'יש חניה בבניין', 'קומה 3 בלי מעלית', 'לקוח ותיק, לתת עדיפות', 'להתקשר לפני הגעה'])}`
            : '';
          const address = rng.chance(0.6)
            ? `${rng.pick(STREETS)} ${rng.int(1, 120)}, ${rng.pick(CITIES)}`
            : null;
          pending.push(
            i + 1,
            name,
            phone,
            email,
            status,
            source,
            JSON.stringify(tags),
            notes,
            address,
            created,
            created,
          );
          if (pending.length === ROWS * 11) flush();
          custCreated[i] = created;
          custPhone[i] = phone;
          custName[i] = name;
        }
        flush();
      });
    }
    summary.customers = N;
    phase('customers', t0, N);
    const custTime = (i: number) => {
      // A moment in the customer's life with us, slightly biased towards recent.
      const c = custCreated[i]!;
      return Math.min(now - 60_000, Math.floor(c + (now - c) * (1 - Math.pow(rng.next(), 1.2))));
    };

    // Calls and turns ------------------------------------------------------------------------
    t0 = performance.now();
    const callsPer = spread(rng, counts.calls, N, (i) => custPhone[i] !== null);
    const insCall = sqlite.prepare(
      `insert into calls (id, business_id, call_sid, direction, from_number, to_number, customer_id, status, mode, engine, ended_by,
         started_at, answered_at, ended_at, duration_sec, summary, created_at, updated_at)
       values (?, ${BUSINESS_ID}, ?, ?, ?, ?, ?, ?, ?, 'pipeline', ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insTurn = sqlite.prepare(
      `insert into call_turns (call_id, call_sid, business_id, turn_index, mode, caller_text, agent_text,
         t_vad_ms, t_asr_ms, t_nlp_ms, t_tts_ms, t_first_audio_ms, t_total_ms, interrupted, created_at)
       values (?, ?, ${BUSINESS_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let callId = 0;
    let turns = 0;
    {
      let i = 0;
      while (i < N) {
        tx(() => {
          let rows = 0;
          for (; i < N && rows < BATCH; i++) {
            const n = callsPer[i]!;
            for (let k = 0; k < n; k++, rows++) {
              callId++;
              const sid = `CA${callId.toString(16).padStart(8, '0')}${rng.hex(24)}`;
              const startedAt = custTime(i);
              const st = rng.next();
              const status = st < 0.9 ? 'completed' : st < 0.95 ? 'no-answer' : 'busy';
              const mode = rng.chance(0.86) ? 'stream' : 'record';
              const dur = status === 'completed' ? rng.int(20, 420) : 0;
              const answered = status === 'completed' ? startedAt + rng.int(1000, 4000) : null;
              // The customer is the caller of an incoming call and the one called on an outgoing one.
              const incoming = rng.chance(0.93);
              insCall.run(
                callId,
                sid,
                incoming ? 'in' : 'out',
                incoming ? custPhone[i] : BUSINESS_PHONE,
                incoming ? BUSINESS_PHONE : custPhone[i],
                i + 1,
                status,
                mode,
                status === 'completed' ? rng.pick(['goodbye', 'hangup', 'hangup', 'transfer']) : null,
                startedAt,
                answered,
                startedAt + dur * 1000 + 3000,
                dur,
                status === 'completed' ? rng.pick(SUMMARIES) : null,
                startedAt,
                startedAt,
              );
              if (status !== 'completed') continue;
              const nt = mode === 'record' ? 1 : rng.int(2, 5);
              for (let ti = 0; ti < nt; ti++) {
                const vad = rng.int(180, 450);
                const asr = rng.int(250, 700);
                const nlp = rng.int(350, 1300);
                const tts = rng.int(120, 420);
                insTurn.run(
                  callId,
                  sid,
                  ti,
                  mode,
                  rng.pick(CALLER_TURNS),
                  rng.pick(AGENT_TURNS),
                  vad,
                  asr,
                  nlp,
                  tts,
                  vad + asr + nlp + tts,
                  vad + asr + nlp + tts + rng.int(20, 120),
                  rng.chance(0.08) ? 1 : 0,
                  startedAt + (ti + 1) * 9000,
                );
                turns++;
              }
            }
          }
        });
      }
    }
    summary.calls = callId;
    summary.callTurns = turns;
    phase('calls', t0, callId);

    // WhatsApp messages ----------------------------------------------------------------------
    t0 = performance.now();
    const msgPer = spread(rng, counts.messages, N, (i) => custPhone[i] !== null);
    const insMsg = sqlite.prepare(
      `insert into wa_messages (business_id, customer_id, direction, provider, provider_message_id, peer, type, body, status,
         sent_at, delivered_at, read_at, unread, created_at)
       values (${BUSINESS_ID}, ?, ?, 'baileys', ?, ?, 'text', ?, ?, ?, ?, ?, ?, ?)`,
    );
    let msgs = 0;
    {
      let i = 0;
      while (i < N) {
        tx(() => {
          let rows = 0;
          for (; i < N && rows < BATCH * 2; i++) {
            const n = msgPer[i]!;
            if (n === 0) continue;
            // A thread: starts somewhere in the customer's life, messages minutes to days apart.
            let t = custTime(i);
            const gap = Math.max(60_000, Math.floor((now - t) / (n + 1)));
            const unreadTail = rng.chance(0.03) ? rng.int(1, 3) : 0;
            for (let k = 0; k < n; k++, rows++) {
              msgs++;
              const inbound = k === 0 || rng.chance(0.5);
              const last = k >= n - unreadTail;
              insMsg.run(
                i + 1,
                inbound || last ? 'in' : 'out',
                `3EB0${msgs.toString(16).padStart(8, '0')}${rng.hex(8)}`,
                custPhone[i],
                inbound || last ? rng.pick(INBOUND) : rng.pick(OUTBOUND),
                inbound || last ? 'received' : 'read',
                inbound || last ? null : t,
                inbound || last ? null : t + 2000,
                inbound || last ? null : t + 60_000,
                last && unreadTail > 0 ? 1 : 0,
                t,
              );
              t = Math.min(now - 1000, t + rng.int(30_000, gap));
            }
          }
        });
      }
    }
    // One WhatsApp contact per thread with its conversation summary (the inbox lists these).
    sqlite.exec(`
      insert into wa_contacts (business_id, customer_id, phone, last_inbound_at, last_message_id, last_message_at,
        unread_count, created_at, updated_at)
      select ${BUSINESS_ID}, customer_id, max(peer), max(case when direction = 'in' then created_at end), max(id),
        max(created_at), sum(unread), min(created_at), max(created_at)
      from wa_messages where customer_id is not null group by customer_id;
      update wa_messages set contact_id = (select c.id from wa_contacts c where c.customer_id = wa_messages.customer_id)
      where contact_id is null;`);
    summary.messages = msgs;
    phase('whatsapp messages', t0, msgs);

    // Deals ----------------------------------------------------------------------------------
    t0 = performance.now();
    const insDeal = sqlite.prepare(
      `insert into deals (business_id, customer_id, title, stage, amount_agorot, position, expected_close_date, won_at, lost_at, lost_reason, created_at, updated_at)
       values (${BUSINESS_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const stagePos: Record<string, number> = { new: 0, qualified: 0, proposal: 0, won: 0, lost: 0 };
    for (let from = 0; from < counts.deals; from += BATCH) {
      tx(() => {
        for (let d = from; d < Math.min(counts.deals, from + BATCH); d++) {
          const ci = Math.min(N - 1, Math.floor(rng.next() * N));
          if (N === 0) break;
          const created = custTime(ci);
          const s = rng.next();
          const stage =
            s < 0.22 ? 'new' : s < 0.4 ? 'qualified' : s < 0.55 ? 'proposal' : s < 0.85 ? 'won' : 'lost';
          stagePos[stage] = (stagePos[stage] ?? 0) + 1024;
          const closeAt = Math.min(now, created + rng.int(1, 30) * DAY);
          insDeal.run(
            ci + 1,
            rng.pick(DEAL_TITLES),
            stage,
            rng.int(5, 400) * 10_000,
            stagePos[stage],
            stage === 'won' || stage === 'lost' ? null : isoDate(created + rng.int(7, 60) * DAY),
            stage === 'won' ? closeAt : null,
            stage === 'lost' ? closeAt : null,
            stage === 'lost' ? rng.pick(['מחיר גבוה', 'בחר מתחרה', 'לא רלוונטי כרגע']) : null,
            created,
            created,
          );
          summary.deals++;
        }
      });
    }
    phase('deals', t0, summary.deals);

    // Tasks and appointments -----------------------------------------------------------------
    t0 = performance.now();
    const insTask = sqlite.prepare(
      `insert into tasks (business_id, customer_id, kind, title, description, due_at, starts_at, ends_at, reminder_at, reminded_at, done_at, created_by, created_at, updated_at)
       values (${BUSINESS_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const hourSlot = (t: number) => Math.floor(t / 3_600_000) * 3_600_000;
    for (let from = 0; from < counts.tasks; from += BATCH) {
      tx(() => {
        for (let k = from; k < Math.min(counts.tasks, from + BATCH); k++) {
          if (N === 0) break;
          const ci = Math.floor(rng.next() * N);
          const created = custTime(ci);
          const kr = rng.next();
          const kind = kr < 0.45 ? 'appointment' : kr < 0.65 ? 'callback' : 'task';
          // A share of the work sits in the coming two weeks so the calendar and the dashboard are alive.
          const future = rng.chance(0.02);
          const when = future
            ? hourSlot(now + rng.int(1, 14 * 24) * 3_600_000)
            : hourSlot(Math.min(now, created + rng.int(1, 10) * DAY));
          // Open work is recent: what is still open from long ago was done (or dropped) by now.
          const done = !future && (when < now - 14 * DAY || rng.chance(0.7)) ? when + 3_600_000 : null;
          const reminder = rng.chance(0.5) ? when - 3_600_000 : null;
          const reminded = reminder !== null && reminder <= now ? reminder : null;
          insTask.run(
            ci + 1,
            kind,
            kind === 'appointment' ? rng.pick(APPT_TITLES) : rng.pick(TASK_TITLES),
            '',
            when,
            kind === 'appointment' ? when : null,
            kind === 'appointment' ? when + 3_600_000 : null,
            reminder,
            reminded,
            done,
            kind === 'appointment' && rng.chance(0.5) ? 'agent' : 'owner',
            Math.min(created, when),
            Math.min(created, when),
          );
          summary.tasks++;
        }
      });
    }
    phase('tasks', t0, summary.tasks);

    // Documents, lines, payments (numbers gapless per type, in issue order) ------------------
    t0 = performance.now();
    const docs: Array<{ ci: number; at: number; type: string }> = [];
    for (let d = 0; d < counts.documents && N > 0; d++) {
      const ci = Math.floor(rng.next() * N);
      const r = rng.next();
      docs.push({
        ci,
        at: custTime(ci),
        type: r < 0.45 ? 'tax_invoice_receipt' : r < 0.75 ? 'tax_invoice' : r < 0.85 ? 'receipt' : 'proposal',
      });
    }
    docs.sort((a, b) => a.at - b.at);
    const insDoc = sqlite.prepare(
      `insert into documents (id, business_id, customer_id, type, number, status, issue_date, due_date, customer_snapshot,
         subtotal_agorot, vat_agorot, total_agorot, vat_rate_bp, notes, created_at)
       values (?, ${BUSINESS_ID}, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, 1800, '', ?)`,
    );
    const insLine = sqlite.prepare(
      `insert into document_lines (document_id, position, description, quantity_milli, unit_price_agorot, total_agorot) values (?, ?, ?, ?, ?, ?)`,
    );
    const insPay = sqlite.prepare(
      `insert into payments (business_id, customer_id, document_id, provider, method, amount_agorot, status, reference, paid_at, created_at, updated_at)
       values (${BUSINESS_ID}, ?, ?, 'manual', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const seq: Record<string, number> = {};
    const methods = ['cash', 'bank_transfer', 'credit_card', 'bit', 'cheque'];
    for (let from = 0; from < docs.length; from += BATCH) {
      tx(() => {
        for (let d = from; d < Math.min(docs.length, from + BATCH); d++) {
          const doc = docs[d]!;
          const number = (seq[doc.type] = (seq[doc.type] ?? 0) + 1);
          const id = d + 1;
          let subtotal = 0;
          const nl = doc.type === 'receipt' ? 0 : rng.int(1, 3);
          const lines: Array<[string, number, number]> = [];
          for (let l = 0; l < nl; l++) {
            const [desc, price] = rng.pick(SERVICES);
            const qty = rng.chance(0.8) ? 1000 : rng.int(2, 3) * 1000;
            lines.push([desc, qty, price]);
            subtotal += Math.round((price * qty) / 1000);
          }
          if (doc.type === 'receipt') subtotal = rng.int(2, 40) * 10_000;
          const vat = doc.type === 'receipt' ? 0 : Math.round((subtotal * 1800) / 10_000);
          const total = subtotal + vat;
          const snapshot = JSON.stringify({ name: custName[doc.ci], phone: custPhone[doc.ci] });
          // Lines first: an issued document's lines are frozen once it exists (database trigger).
          lines.forEach(([desc, qty, price], p) => {
            insLine.run(id, p + 1, desc, qty, price, Math.round((price * qty) / 1000));
            summary.documentLines++;
          });
          insDoc.run(
            id,
            doc.ci + 1,
            doc.type,
            number,
            isoDate(doc.at),
            doc.type === 'tax_invoice' ? isoDate(doc.at + 30 * DAY) : null,
            snapshot,
            subtotal,
            vat,
            total,
            doc.at,
          );
          summary.documents++;
          // Receipts are paid at once; most tax invoices are paid later, some are still open.
          const paidAt =
            doc.type === 'tax_invoice_receipt' || doc.type === 'receipt'
              ? doc.at
              : doc.type === 'tax_invoice' && rng.chance(0.75)
                ? Math.min(now - 60_000, doc.at + rng.int(1, 40) * DAY)
                : null;
          if (paidAt !== null) {
            const m = rng.pick(methods);
            insPay.run(
              doc.ci + 1,
              id,
              m,
              total,
              'succeeded',
              m === 'cheque' ? String(rng.int(100000, 999999)) : null,
              paidAt,
              paidAt,
              paidAt,
            );
            summary.payments++;
          }
        }
      });
    }
    const insSeq = sqlite.prepare(
      `insert into document_sequences (business_id, type, next_number) values (${BUSINESS_ID}, ?, ?)
       on conflict (business_id, type) do update set next_number = excluded.next_number`,
    );
    tx(() => {
      for (const type of ['tax_invoice', 'receipt', 'tax_invoice_receipt', 'credit_note', 'proposal'])
        insSeq.run(type, (seq[type] ?? 0) + 1);
    });
    phase('documents', t0, summary.documents);

    // Contracts ------------------------------------------------------------------------------
    t0 = performance.now();
    tx(() => {
      // Beside the templates the app ships (seeded at start), never over them.
      const insTemplate = sqlite.prepare(
        `insert into contract_templates (business_id, name, version, body, active, created_at) values (${BUSINESS_ID}, ?, 1, ?, 1, ?)
         on conflict (business_id, name, version) do update set body = excluded.body returning id`,
      );
      const tplId = [
        insTemplate.get(
          'הסכם התקנה',
          'הסכם זה נערך בין {{business.name}} לבין {{customer.name}} להתקנת מערכת מיזוג אוויר בכתובת {{customer.address}}.',
          now - span,
        ) as { id: number },
        insTemplate.get(
          'מנוי שירות שנתי',
          'מנוי שירות שנתי הכולל שני ביקורי ניקוי ותיקונים ללא עלות עבודה עבור {{customer.name}}.',
          now - span,
        ) as { id: number },
      ].map((r) => r.id);
      const insContract = sqlite.prepare(
        `insert into contracts (business_id, customer_id, template_id, template_version, title, body_rendered, status, number, signer_name, signed_at, created_at, updated_at)
         values (${BUSINESS_ID}, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      // Numbered as the app numbers them: AGR-<year>-NNNN in the order they were made.
      const made = Array.from({ length: N > 0 ? counts.contracts : 0 }, () => {
        // (In the order the generator has always drawn them: the rest of the demo stays the same.)
        const ci = Math.floor(rng.next() * N);
        const at = custTime(ci);
        const first = rng.chance(0.6);
        const status = rng.chance(0.7) ? 'signed' : rng.pick(['sent', 'opened', 'draft']);
        return { ci, at, first, status };
      }).sort((a, b) => a.at - b.at);
      const seq = new Map<number, number>();
      for (const { ci, at, first, status } of made) {
        const title = first ? 'הסכם התקנה' : 'מנוי שירות שנתי';
        const year = new Date(at).getUTCFullYear();
        const n = (seq.get(year) ?? 0) + 1;
        seq.set(year, n);
        insContract.run(
          ci + 1,
          tplId[first ? 0 : 1],
          title,
          `${title} — ${custName[ci]}`,
          status,
          `AGR-${year}-${String(n).padStart(4, '0')}`,
          status === 'signed' ? custName[ci] : null,
          status === 'signed' ? at + DAY : null,
          at,
          at,
        );
        summary.contracts++;
      }
    });
    phase('contracts', t0, summary.contracts);

    t0 = performance.now();
    sqlite.exec(`
      update customers set last_contact_at = max(
        coalesce((select max(started_at) from calls where customer_id = customers.id), 0),
        coalesce((select max(created_at) from wa_messages where customer_id = customers.id), 0))
      where business_id = ${BUSINESS_ID};
      update customers set last_contact_at = null where last_contact_at = 0;
      analyze;`);
    phase('last contact + analyze', t0, N);
    summary.ms = Math.round(performance.now() - started);
    return summary;
  } finally {
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
  }
}

const israelDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Jerusalem',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
function isoDate(ms: number): string {
  return israelDate.format(ms);
}

function writeBusiness(sqlite: Db['$client'], now: number): void {
  const knowledge = {
    greeting: 'שלום, הגעתם לאבי מיזוג אוויר. כאן העוזרת הדיגיטלית, איך אפשר לעזור?',
    hours: 'א׳–ה׳ 08:00–18:00, ו׳ 08:00–13:00, שבת סגור',
    services: 'התקנת מזגנים עיליים ומיני מרכזיים, תיקונים, ניקוי וחיטוי, מילוי גז, מנויי שירות שנתיים',
    prices:
      'ביקור טכנאי 250 ₪; ניקוי מזגן עילי 250 ₪; מילוי גז מ-350 ₪; התקנת מזגן עילי מ-1,800 ₪ (כולל מע״מ)',
    faq: [
      { q: 'האם יש אחריות?', a: 'כן, שנה אחריות על כל התקנה ושלושה חודשים על תיקונים.' },
      { q: 'באילו אזורים אתם עובדים?', a: 'גוש דן, השרון והשפלה.' },
      { q: 'איך אפשר לשלם?', a: 'מזומן, העברה בנקאית, אשראי או ביט.' },
    ],
    freeText: 'אבי הוא הבעלים והטכנאי הראשי. במקרי חירום (נזילת גז) יש להפנות למספר הנייד של אבי.',
  };
  sqlite
    .prepare(
      `insert into business (id, name, legal_name, vat_id, business_type, phone, owner_phone, email, address, city, website, knowledge, vat_rate_bp, updated_at)
       values (${BUSINESS_ID}, ?, ?, ?, 'company', ?, ?, ?, ?, ?, ?, ?, 1800, ?)
       on conflict (id) do update set name = excluded.name, legal_name = excluded.legal_name, vat_id = excluded.vat_id,
         business_type = excluded.business_type, phone = excluded.phone, owner_phone = excluded.owner_phone, email = excluded.email,
         address = excluded.address, city = excluded.city, website = excluded.website, knowledge = excluded.knowledge,
         vat_rate_bp = excluded.vat_rate_bp, updated_at = excluded.updated_at`,
    )
    .run(
      'אבי מיזוג אוויר',
      'א.ל. מיזוג ושירות בע״מ',
      '515123456',
      BUSINESS_PHONE,
      '+972528889999',
      'office@avi-aircon.co.il',
      'המלאכה 12',
      'חולון',
      'https://avi-aircon.co.il',
      JSON.stringify(knowledge),
      now,
    );
}
