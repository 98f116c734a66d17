import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelephonyRig, type TelephonyRig } from '../helpers/telephony';
import { AUTH_TOKEN, callParams, PUBLIC_HOST, twilioSignature } from '../helpers/twilio';

const ROUTES = [
  '/webhook/incoming_call',
  '/webhook/stream_ended',
  '/webhook/handle_recording',
  '/webhook/call_status',
];
const TOTAL = 3000;
const TIME_BUDGET_MS = 25_000;
const CONCURRENCY = 16;

/** A small deterministic PRNG so a failure can be replayed (seed printed). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sent {
  status: number;
  kind: string;
}

/** Raw HTTP so malformed bodies, lying Content-Length and odd headers reach the server as written. */
function send(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  opts: { truncate?: boolean } = {},
): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.on('timeout', () => {
      req.destroy();
      resolve(-2);
    });
    if (opts.truncate) {
      // Promise more than is sent, then hang up mid-body.
      req.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => req.destroy(), 5);
      return;
    }
    req.end(body);
  });
}

let rig: TelephonyRig;
beforeAll(async () => {
  rig = await startTelephonyRig();
});
afterAll(async () => {
  await rig?.stop();
});

describe('webhook fuzz', () => {
  it(`${TOTAL} malformed, truncated, oversized and mistyped requests: no 5xx, process alive, no partial rows`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20260101);
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const port = Number(new URL(rig.t.publicUrl).port);
    const junkString = () => {
      const alphabet = [
        'a',
        'Z',
        '0',
        '%',
        '&',
        '=',
        '+',
        ' ',
        '\u05d0',
        '\u0000',
        '\n',
        '"',
        '<',
        '>',
        '\ud83d\ude00',
        '%zz',
        '[]',
        '.',
      ];
      let s = '';
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) s += pick(alphabet);
      return s;
    };
    const validCallSids = new Set<string>();

    const makeCase = (
      i: number,
    ): {
      path: string;
      headers: Record<string, string>;
      body: Buffer;
      kind: string;
      truncate?: boolean;
      callSid?: string;
    } => {
      const path = pick(ROUTES);
      const base = callParams(100_000 + i, {
        From: `+97250${String(1_000_000 + Math.floor(rand() * 8_999_999)).slice(0, 7)}`,
      });
      if (path === '/webhook/handle_recording') {
        base.RecordingSid = `RE${(100_000 + i).toString(16).padStart(32, '0')}`;
        base.RecordingUrl = rig.twilio.recordingUrl(base.RecordingSid);
      }
      if (path === '/webhook/call_status')
        Object.assign(base, {
          CallStatus: pick(['completed', 'busy', 'no-answer', 'in-progress']),
          CallDuration: String(Math.floor(rand() * 600)),
        });
      const mutate = pick([
        'drop_field',
        'junk_values',
        'huge_value',
        'array_param',
        'bad_callsid',
        'bad_status',
        'extra_fields',
        'valid',
      ] as const);
      const params: Record<string, string> = { ...base };
      switch (mutate) {
        case 'drop_field':
          delete params[pick(Object.keys(params))];
          break;
        case 'junk_values':
          for (const k of Object.keys(params)) if (rand() < 0.5) params[k] = junkString();
          break;
        case 'huge_value':
          params[pick(Object.keys(params))] = 'x'.repeat(1000 + Math.floor(rand() * 20_000));
          break;
        case 'bad_callsid':
          params.CallSid = pick([
            '',
            ' ',
            '../../etc/passwd',
            'CA' + 'z'.repeat(100),
            '<script>',
            '\u05d0\u05d1',
          ]);
          break;
        case 'bad_status':
          params.CallStatus = junkString();
          break;
        case 'extra_fields':
          for (let k = 0; k < 20; k++) params[`X${k}${junkString()}`] = junkString();
          if (path === '/webhook/handle_recording')
            params.RecordingUrl = pick([
              'ftp://x',
              'javascript:alert(1)',
              junkString(),
              'http://127.0.0.1:1/x',
            ]);
          break;
        default:
          break;
      }
      const form = new URLSearchParams(params).toString();
      const sign = (p: Record<string, string>) =>
        twilioSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}${path}`, p);
      const transport = pick([
        'signed_form',
        'signed_form',
        'signed_form',
        'unsigned',
        'forged',
        'json',
        'text',
        'no_type',
        'multipart',
        'oversized',
        'truncated',
        'raw_garbage',
        'duplicate_keys',
      ] as const);
      const kind = `${transport}/${mutate}`;
      const formHeaders = (sig?: string): Record<string, string> => ({
        'content-type': 'application/x-www-form-urlencoded',
        ...(sig ? { 'x-twilio-signature': sig } : {}),
      });
      switch (transport) {
        case 'signed_form':
          return {
            path,
            headers: formHeaders(sign(params)),
            body: Buffer.from(form),
            kind,
            callSid: params.CallSid,
          };
        case 'unsigned':
          return { path, headers: formHeaders(), body: Buffer.from(form), kind };
        case 'forged':
          return {
            path,
            headers: formHeaders(Buffer.from(junkString()).toString('base64')),
            body: Buffer.from(form),
            kind,
          };
        case 'json':
          return {
            path,
            headers: { 'content-type': 'application/json', 'x-twilio-signature': sign({}) },
            body: Buffer.from(pick([JSON.stringify(params), '{"CallSid":', '[]', 'null', '"x"'])),
            kind,
          };
        case 'text':
          return {
            path,
            headers: { 'content-type': 'text/plain', 'x-twilio-signature': sign({}) },
            body: Buffer.from(form),
            kind,
          };
        case 'no_type':
          return { path, headers: { 'x-twilio-signature': sign(params) }, body: Buffer.from(form), kind };
        case 'multipart':
          return {
            path,
            headers: {
              'content-type': 'multipart/form-data; boundary=xyz',
              'x-twilio-signature': sign(params),
            },
            body: Buffer.from(
              `--xyz\r\nContent-Disposition: form-data; name="CallSid"\r\n\r\n${params.CallSid}\r\n--xyz--\r\n`,
            ),
            kind,
          };
        case 'oversized':
          return {
            path,
            headers: formHeaders(sign(params)),
            body: Buffer.from(`${form}&Pad=${'p'.repeat(300 * 1024 + Math.floor(rand() * 900 * 1024))}`),
            kind,
          };
        case 'truncated':
          return {
            path,
            headers: { ...formHeaders(sign(params)), 'content-length': String(form.length) },
            body: Buffer.from(form),
            kind,
            truncate: true,
          };
        case 'raw_garbage': {
          const bytes = Buffer.alloc(Math.floor(rand() * 2000));
          for (let b = 0; b < bytes.length; b++) bytes[b] = Math.floor(rand() * 256);
          return { path, headers: formHeaders(sign({})), body: bytes, kind };
        }
        case 'duplicate_keys': {
          const dup = `${form}&CallSid=${encodeURIComponent(params.CallSid ?? '')}&CallSid=CA2&From=%2B1`;
          return {
            path,
            headers: formHeaders(sign(params)),
            body: Buffer.from(dup),
            kind,
            callSid: params.CallSid,
          };
        }
      }
    };

    const results: Sent[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < TOTAL && Date.now() - started < TIME_BUDGET_MS) {
        const i = next++;
        const c = makeCase(i);
        const status = await send(port, c.path, c.headers, c.body, { truncate: c.truncate });
        results.push({ status, kind: c.kind });
        if (c.callSid && status >= 200 && status < 300) validCallSids.add(c.callSid);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = Date.now() - started;
    await rig.t.core.jobs.idle(undefined, 20_000);

    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const fiveXX = results.filter((r) => r.status >= 500);
    const counts = rig.counts();
    console.log(
      `[fuzz] seed=${seed} sent=${results.length} in ${elapsed} ms; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}; ` +
        `5xx=${fiveXX.length}; rows: ${JSON.stringify(counts)}, jobs: ${JSON.stringify(rig.t.core.jobs.counts())} (accepted valid CallSids: ${validCallSids.size})`,
    );

    expect(results.length).toBeGreaterThanOrEqual(Math.min(TOTAL, 1000));
    expect(fiveXX, JSON.stringify(fiveXX.slice(0, 5))).toHaveLength(0);
    // Statuses other than "client went away" (-1/-2, only for truncated bodies) are real HTTP answers.
    expect(results.filter((r) => r.status < 0 && !r.kind.startsWith('truncated'))).toHaveLength(0);

    // Process alive and still serving.
    expect((await fetch(`${rig.t.publicUrl}/healthz`)).status).toBe(200);
    const probe = await fetch(`${rig.t.publicUrl}/webhook/incoming_call`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(
          AUTH_TOKEN,
          `https://${PUBLIC_HOST}/webhook/incoming_call`,
          callParams(1),
        ),
      },
      body: new URLSearchParams(callParams(1)).toString(),
    });
    expect(probe.status).toBe(200);

    // No partial rows: every call row is whole and belongs to an accepted request; every
    // customer created by a call is referenced by one; every queued job has its call.
    const db = rig.t.core.db.$client;
    const broken = db
      .prepare(
        "select count(*) n from calls where call_sid = '' or business_id != 1 or started_at is null or (customer_id is not null and customer_id not in (select id from customers))",
      )
      .get() as { n: number };
    expect(broken.n).toBe(0);
    const sids = (db.prepare('select call_sid from calls').all() as Array<{ call_sid: string }>).map(
      (r) => r.call_sid,
    );
    for (const s of sids) expect(validCallSids.has(s) || s === callParams(1).CallSid, s).toBe(true);
    const orphanCustomers = db
      .prepare(
        'select count(*) n from customers where id not in (select customer_id from calls where customer_id is not null)',
      )
      .get() as { n: number };
    expect(orphanCustomers.n).toBe(0);
    const orphanJobs = db
      .prepare(
        "select count(*) n from jobs where json_extract(payload, '$.callSid') not in (select call_sid from calls)",
      )
      .get() as { n: number };
    expect(orphanJobs.n).toBe(0);
    const pendingWithoutJob = db
      .prepare(
        "select count(*) n from calls where recording_status = 'pending' and call_sid not in (select json_extract(payload, '$.callSid') from jobs)",
      )
      .get() as { n: number };
    expect(pendingWithoutJob.n).toBe(0);
  }, 60_000);
});
