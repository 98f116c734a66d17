/**
 * The doctor: the golden path checked against the running app, one ✅/❌ line each with a
 * Hebrew hint. It calls the app's own public server on loopback the way Twilio would (signed
 * with the account's own token) and leaves nothing behind: the calls it places are flagged
 * (a summary, so no after-call work or notification runs for them) and removed after, with
 * their turns and recording jobs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eq, like } from 'drizzle-orm';
import type { DoctorCheck, DoctorReport } from '../api/contract/setup';
import type { PhoneSetup, TwilioNumber } from '../api/contract/phone';
import type { Features } from '../api/contract/business';
import type { PaymentProviderStatus } from '../api/contract/payments';
import type { Db } from '../db/client';
import { calls, callTurns, jobs, tasks } from '../db/schema';
import type { Env } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { PublicUrlService } from '../platform/public-url';
import type { SecretsResolver } from '../platform/secrets-resolver';
import { computeTwilioSignature } from '../platform/twilio-signature';
import { resolveTwilioCredentials } from '../platform/twilio-rest';
import { CHECKED_KEYS, type CheckResult } from '../api/contract/setup';
import type { KeyChecks } from './key-checks';

/** What a doctor call's row says, so nothing treats it as a real caller's. */
export const DOCTOR_MARK = 'doctor check (removed after)';

export interface DoctorDeps {
  env: Env;
  db: Db;
  logger: Logger;
  keys: SecretsResolver;
  publicUrl: PublicUrlService;
  features: () => Features;
  checks: KeyChecks;
  checkAddress: () => Promise<CheckResult & { host: string | null }>;
  phoneSetup: () => PhoneSetup | Promise<PhoneSetup>;
  phoneNumbers: () => Promise<TwilioNumber[]>;
  paymentsStatus: () => Promise<PaymentProviderStatus>;
  /** The public server on loopback (`http://127.0.0.1:<port>`), undefined before it listens. */
  loopback: () => string | undefined;
  resourcesDir: string;
  now: () => number;
  /** Bounds for the simulated turn (tests keep the defaults). */
  turnTimeoutMs?: number;
}

const HINTS: Record<string, string> = {
  healthz: 'השרת של האפליקציה לא עונה. ודאו שהאפליקציה פתוחה ונסו שוב.',
  readyz: 'אחד השירותים לא מוכן (ראו בפרטים). בדקו את המפתחות בהגדרות.',
  incoming_call: 'שיחה נכנסת לא מקבלת את הסוכן. בדקו את פרטי Twilio ואת הכתובת הציבורית בהגדרות.',
  stream_ended: 'אם הקו נופל באמצע שיחה, המתקשר לא יוכל להשאיר הודעה. בדקו שגיבוי ההקלטה מופעל.',
  media_turn: 'הסוכן לא ענה לדיבור בשיחה מדומה. בדקו את מפתח OpenAI ואת הקול בהגדרות.',
  recording: 'הודעה מוקלטת לא נכנסת לטיפול. בדקו את פרטי Twilio בהגדרות.',
  payments: 'הגדרות התשלומים לא תקינות.',
  public_url: 'אי אפשר להגיע לאפליקציה מבחוץ. בדקו את מפתח ngrok או את הכתובת שלכם בהגדרות.',
  number: 'המספר ב-Twilio לא מכוון לאפליקציה. בחרו אותו שוב במסך "מספר הטלפון".',
  key_openai: 'מפתח OpenAI לא התקבל. העתיקו מפתח חדש מ-platform.openai.com והדביקו בהגדרות.',
  key_google: 'קובץ החשבון של Google לא התקבל. הורידו קובץ JSON חדש מ-Google Cloud ובחרו אותו בהגדרות.',
  key_twilio: 'פרטי Twilio לא התקבלו. העתיקו את Account SID ו-Auth Token מ-console.twilio.com.',
  key_ngrok: 'מפתח ngrok לא התקבל. העתיקו אותו מ-dashboard.ngrok.com והדביקו בהגדרות.',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const doctorSid = () => `CA${'d0c'}${randomBytes(16).toString('hex').slice(0, 29)}`;

export class Doctor {
  private readonly log: Logger;

  constructor(private readonly deps: DoctorDeps) {
    this.log = deps.logger.child({ module: 'doctor' });
  }

  async run(): Promise<DoctorReport> {
    const started = this.deps.now();
    const out: DoctorCheck[] = [];
    const made: string[] = [];
    const add = (id: string, ok: boolean, detail: string | null = null, note: string | null = null) => {
      out.push({ id, ok, detail, note, hint: ok ? null : (HINTS[id] ?? null) });
    };
    const step = async (id: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        add(id, false, String((err as Error)?.message ?? err).slice(0, 300));
      }
    };
    const base = this.deps.loopback();
    const host = this.deps.publicUrl.host();
    const creds = resolveTwilioCredentials(this.deps.env, this.deps.keys);
    try {
      await step('healthz', async () => {
        if (!base) return add('healthz', false, 'the public server is not listening');
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
        const text = await res.text();
        add('healthz', res.ok && text.trim() === 'ok', `HTTP ${res.status}`);
      });
      await step('readyz', async () => {
        if (!base) return add('readyz', false, 'the public server is not listening');
        const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(8000) });
        const r = (await res.json()) as Record<string, unknown> & { payments?: Record<string, string> };
        const flat: Record<string, unknown> = { ...r, ...r.payments };
        delete flat.payments;
        const failing = Object.entries(flat)
          .filter(([, v]) => v === 'fail')
          .map(([k]) => k);
        add('readyz', res.ok && failing.length === 0, failing.length ? `fail: ${failing.join(', ')}` : null);
      });

      // A signed incoming call → the agent's stream, then the stream ends → the recording fallback.
      const sign = (url: string, params: Record<string, string>) =>
        creds.authToken ? computeTwilioSignature(creds.authToken, url, params) : '';
      const post = async (p: string, params: Record<string, string>) => {
        const res = await fetch(`${base}${p}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
            'x-twilio-signature': sign(`https://${host}${p}`, params),
          },
          body: new URLSearchParams(params).toString(),
          signal: AbortSignal.timeout(8000),
        });
        return { status: res.status, text: await res.text() };
      };
      const setup = await Promise.resolve(this.deps.phoneSetup()).catch(() => undefined);
      const callParams = (sid: string, extra: Record<string, string> = {}) => ({
        AccountSid: creds.accountSid ?? '',
        CallSid: sid,
        From: 'anonymous',
        To: setup?.number?.phoneNumber ?? '+97230000000',
        Direction: 'inbound',
        CallStatus: 'ringing',
        ApiVersion: '2010-04-01',
        ...extra,
      });
      const prerequisites = (): string | null => {
        if (!base) return 'the public server is not listening';
        if (!host) return 'no public address';
        if (!creds.accountSid || !creds.authToken) return 'no Twilio account SID / auth token';
        return null;
      };

      let turnSid: string | undefined;
      let streamToken: string | undefined;
      await step('incoming_call', async () => {
        const missing = prerequisites();
        if (missing) return add('incoming_call', false, missing);
        turnSid = doctorSid();
        made.push(turnSid);
        const r = await post('/webhook/incoming_call', callParams(turnSid));
        this.mark(turnSid);
        streamToken = /<Parameter name="stream_token" value="([^"]+)"\/>/.exec(r.text)?.[1];
        const want = `<Connect action="/webhook/stream_ended"><Stream url="wss://${host}/ws/twilio-media">`;
        const ok = r.status === 200 && r.text.includes(want) && !!streamToken;
        add('incoming_call', ok, ok ? null : `HTTP ${r.status}: ${r.text.slice(0, 200)}`);
      });

      let recSid: string | undefined;
      await step('stream_ended', async () => {
        const missing = prerequisites();
        if (missing) return add('stream_ended', false, missing);
        recSid = doctorSid();
        made.push(recSid);
        await post('/webhook/incoming_call', callParams(recSid));
        this.mark(recSid);
        const r = await post('/webhook/stream_ended', callParams(recSid, { CallStatus: 'in-progress' }));
        if (!this.deps.features().enable_recording_fallback) {
          return add('stream_ended', r.status === 200, null, 'recording fallback is turned off');
        }
        const ok = r.status === 200 && /<Record [^>]*action="\/webhook\/handle_recording"/.test(r.text);
        add('stream_ended', ok, ok ? null : `HTTP ${r.status}: ${r.text.slice(0, 200)}`);
      });

      await step('media_turn', async () => {
        if (!turnSid || !streamToken)
          return add('media_turn', false, 'no stream to open (see incoming_call)');
        const r = await this.simulateTurn(base!, host!, creds.authToken!, turnSid, streamToken);
        add('media_turn', r.ok, r.detail);
      });

      await step('recording', async () => {
        if (!recSid) return add('recording', false, 'no call to record (see stream_ended)');
        // With refused credentials the download would fail for good and open a call-back task.
        const twilioKey = await this.deps.checks.check('twilio');
        if (!twilioKey.ok) return add('recording', false, `not tried: Twilio ${twilioKey.problem}`);
        const recordingSid = `RE${randomBytes(16).toString('hex')}`;
        const url = `${creds.apiBaseUrl}/2010-04-01/Accounts/${creds.accountSid}/Recordings/${recordingSid}`;
        const r = await post(
          '/webhook/handle_recording',
          callParams(recSid, {
            CallStatus: 'in-progress',
            RecordingUrl: url,
            RecordingSid: recordingSid,
            RecordingDuration: '3',
          }),
        );
        const row = this.deps.db.select().from(calls).where(eq(calls.callSid, recSid)).get();
        const queued = this.jobsFor(recSid);
        // Gone at once: a job that starts now finds no call and ends without a task or notification.
        this.purge(recSid);
        const ok = r.status === 200 && row?.recordingStatus != null && queued > 0;
        add(
          'recording',
          ok,
          ok ? null : `HTTP ${r.status}, recording ${row?.recordingStatus ?? 'none'}, jobs ${queued}`,
        );
      });

      await step('payments', async () => {
        const s = await this.deps.paymentsStatus();
        const on = (['paypal', 'tranzila'] as const).filter((p) => s[p].enabled);
        if (!on.length) return add('payments', true, null, 'not switched on');
        const broken = on.filter((p) => !s[p].configured || s[p].missing.length);
        add(
          'payments',
          broken.length === 0,
          broken.length
            ? broken.map((p) => `${p}: ${s[p].missing.join(', ') || 'not configured'}`).join('; ')
            : null,
          broken.length ? null : on.join(', '),
        );
      });

      await step('public_url', async () => {
        const r = await this.deps.checkAddress();
        add('public_url', r.ok, r.ok ? r.host : `${r.problem}${r.detail ? `: ${r.detail}` : ''}`);
      });

      await step('number', async () => {
        const s = await this.deps.phoneSetup();
        if (!s.number) return add('number', false, 'no Twilio number picked');
        if (!s.expected) return add('number', false, 'no public address to point it at');
        const n = (await this.deps.phoneNumbers()).find((x) => x.sid === s.number!.sid);
        if (!n) return add('number', false, `${s.number.phoneNumber} is not in the Twilio account`);
        add(
          'number',
          n.pointsHere,
          n.pointsHere ? null : `voice URL ${n.voiceUrl ?? '(none)'}, expected ${s.expected.voiceUrl}`,
        );
      });

      for (const key of CHECKED_KEYS) {
        await step(`key_${key}`, async () => {
          if (!this.deps.checks.configured(key)) return add(`key_${key}`, true, null, 'not configured');
          const r = await this.deps.checks.check(key);
          add(`key_${key}`, r.ok, r.ok ? null : `${r.problem}${r.detail ? `: ${r.detail}` : ''}`);
        });
      }
    } finally {
      await this.cleanUp(made);
    }
    const report = { ok: out.every((c) => c.ok), checks: out, ranAt: started };
    this.log.info(
      { ok: report.ok, failed: out.filter((c) => !c.ok).map((c) => c.id) },
      `doctor: ${report.ok ? 'all ok' : 'failures'}`,
    );
    return report;
  }

  /** A summary on the row: after-call work skips it, so no notification or lead comes of it. */
  private mark(callSid: string): void {
    this.deps.db.update(calls).set({ summary: DOCTOR_MARK }).where(eq(calls.callSid, callSid)).run();
  }

  private jobsFor(callSid: string): number {
    return this.deps.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(like(jobs.payload, `%"callSid":"${callSid}"%`))
      .all().length;
  }

  private dropJobs(callSid: string): void {
    this.deps.db
      .delete(jobs)
      .where(like(jobs.payload, `%"callSid":"${callSid}"%`))
      .run();
  }

  /** Every trace of a doctor call: its jobs, turns, any task opened for it, the row. */
  private purge(callSid: string): void {
    const db = this.deps.db;
    db.$client.transaction(() => {
      this.dropJobs(callSid);
      const row = db.select({ id: calls.id }).from(calls).where(eq(calls.callSid, callSid)).get();
      if (!row) return;
      db.delete(tasks).where(eq(tasks.callId, row.id)).run();
      db.delete(callTurns).where(eq(callTurns.callId, row.id)).run();
      db.delete(calls).where(eq(calls.id, row.id)).run();
    })();
  }

  private async cleanUp(sids: string[]): Promise<void> {
    if (!sids.length) return;
    // Let the stream's end (status, after-call skip) land first, then remove every trace.
    await sleep(300);
    for (let i = 0; i < 2; i++) {
      for (const sid of sids) this.purge(sid);
      if (i === 0) await sleep(700);
    }
  }

  /** One caller turn over the app's own media WebSocket, as Twilio sends it; true once a turn row lands. */
  private async simulateTurn(
    base: string,
    host: string,
    authToken: string,
    callSid: string,
    streamToken: string,
  ): Promise<{ ok: boolean; detail: string | null }> {
    const { default: WebSocket } = await import('ws');
    const speech = readFileSync(path.join(this.deps.resourcesDir, 'phrases', 'greeting.ulaw'));
    const signature = computeTwilioSignature(authToken, `wss://${host}/ws/twilio-media`, {});
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/twilio-media`, {
      headers: { 'x-twilio-signature': signature },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    const streamSid = `MZ${randomBytes(16).toString('hex')}`;
    let seq = 0;
    let lastOutbound = Date.now();
    let closed = false;
    ws.on('message', (data) => {
      const text = String(data);
      if (text.includes('"event":"media"')) lastOutbound = Date.now();
      const m = /"event":"mark".*"name":"([^"]+)"/.exec(text);
      if (m) ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: m[1] } }));
    });
    ws.on('close', () => (closed = true));
    const send = (o: Record<string, unknown>) => {
      if (!closed) ws.send(JSON.stringify({ ...o, sequenceNumber: String(++seq) }));
    };
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    send({
      event: 'start',
      streamSid,
      start: {
        streamSid,
        accountSid: 'AC' + '0'.repeat(32),
        callSid,
        tracks: ['inbound'],
        customParameters: { call_sid: callSid, business_id: '1', stream_token: streamToken },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    // A continuous line at real time: quiet while the greeting plays, one sentence, then quiet.
    const silence = Buffer.alloc(160, 0xff);
    let chunk = 0;
    let frames = 0;
    let speechAt = -1;
    const t0 = Date.now();
    const deadline = t0 + (this.deps.turnTimeoutMs ?? 30_000);
    const turnRow = () =>
      this.deps.db.select({ id: callTurns.id }).from(callTurns).where(eq(callTurns.callSid, callSid)).get();
    try {
      while (!closed && Date.now() < deadline) {
        const due = Math.floor((Date.now() - t0) / 20);
        while (frames < due) {
          let frame = silence;
          if (speechAt < 0 && Date.now() - lastOutbound > 700 && Date.now() - t0 > 800) speechAt = frames;
          if (speechAt >= 0 && chunk * 160 < speech.length) {
            frame = Buffer.alloc(160, 0xff);
            speech.copy(frame, 0, chunk * 160, Math.min((chunk + 1) * 160, speech.length));
            chunk++;
          }
          send({
            event: 'media',
            streamSid,
            media: {
              track: 'inbound',
              chunk: String(frames + 1),
              timestamp: String(frames * 20),
              payload: frame.toString('base64'),
            },
          });
          frames++;
        }
        if (frames % 10 === 0 && turnRow()) {
          return { ok: true, detail: null };
        }
        await sleep(20);
      }
      if (turnRow()) return { ok: true, detail: null };
      return {
        ok: false,
        detail: closed ? 'the stream closed before a turn' : 'no turn within the time limit',
      };
    } finally {
      this.mark(callSid);
      send({ event: 'stop', streamSid, stop: { accountSid: 'AC' + '0'.repeat(32), callSid } });
      ws.close(1000);
    }
  }
}
