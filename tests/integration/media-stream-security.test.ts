/**
 * The media stream under attack. The upgrade signature covers a fixed URL, so a captured one
 * opens any number of sockets: what guards a call is its single-use stream token (in the
 * incoming_call TwiML, only its hash on the row). Replays, takeovers of a live call, a start +
 * stop on a finished call, unknown CallSids and hostile frames are closed and change nothing.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaStreamClient } from '../fakes/media-stream-client';
import { callParams, postTwilio, randomCallSid } from '../helpers/twilio';
import {
  callRow,
  isSummaryRequest,
  MEDIA_URL,
  PUBLIC_HOST,
  startVoiceRig,
  turnRows,
  until,
  type VoiceRig,
} from '../helpers/voice';
import { computeTwilioSignature } from '../../src-main/platform/twilio-signature';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const REFUSED = 1008;

async function setup(): Promise<VoiceRig> {
  rig = await startVoiceRig();
  rig.t.core.business.updateProfile({ name: 'מספרת דני', ownerPhone: '050-1234567' });
  rig.openai.setDefaultChat((req) =>
    isSummaryRequest(req)
      ? JSON.stringify({ summary: 'הלקוח שאל על מחיר תספורת.', name: null, reason: 'מחיר' })
      : 'שמונים שקלים.',
  );
  return rig;
}

/** Every row the webhooks and sessions write, as one string (equal = nothing changed). */
function dbState(r: VoiceRig): string {
  const db = r.t.core.db.$client;
  return JSON.stringify(
    ['calls', 'call_turns', 'customers', 'tasks', 'jobs'].map((t) =>
      db.prepare(`select * from ${t} order by id`).all(),
    ),
  );
}

const count = (r: VoiceRig, table: string) =>
  (r.t.core.db.$client.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;

/** An attacker with a captured upgrade signature sends `start` for `callSid`; resolves when closed. */
async function attack(
  r: VoiceRig,
  callSid: string,
  customParameters: Record<string, string>,
  opts: { stop?: boolean } = {},
): Promise<MediaStreamClient> {
  const a = await r.connectRaw({ callSid, customParameters, speed: 4 });
  a.start();
  if (opts.stop) await a.stop();
  await a.waitFor(() => a.closed, 5000);
  return a;
}

const forgedToken = () => randomBytes(32).toString('base64url');

async function liveState(r: VoiceRig, callSid: string): Promise<string | undefined> {
  const res = await r.t.api('monitor.liveCalls');
  return (res.body.data as Array<{ callSid: string; state: string }>).find((c) => c.callSid === callSid)
    ?.state;
}

describe('media stream: the single-use stream token', () => {
  it('a replayed upgrade signature with no, forged or misplaced token is closed and changes nothing; the real stream still connects, once', async () => {
    const r = await setup();
    const call = await r.incomingCall();
    expect(call.status).toBe(200);
    expect(call.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const before = dbState(r);

    const unknown = randomCallSid();
    const attempts: Array<[string, string, Record<string, string>]> = [
      ['no token', call.callSid, {}],
      ['empty token', call.callSid, { stream_token: '' }],
      ['forged token', call.callSid, { stream_token: forgedToken() }],
      ['token too long', call.callSid, { stream_token: call.token! + 'A' }],
      ['not base64url', call.callSid, { stream_token: '!'.repeat(43) }],
      ["the call's token for an unknown CallSid", unknown, { stream_token: call.token! }],
      ['no token, unknown CallSid', unknown, {}],
    ];
    const closes: string[] = [];
    for (const [what, sid, params] of attempts) {
      const a = await attack(r, sid, params, { stop: true });
      expect(a.closeCode, what).toBe(REFUSED);
      expect(a.media, what).toHaveLength(0);
      closes.push(`${what}=${a.closeCode}`);
    }
    // Nothing written: no row for the unknown CallSid, the real call untouched (its token unused).
    expect(dbState(r)).toBe(before);
    expect(callRow(r, unknown)).toBeUndefined();
    expect(r.voice.registry.sessions.size).toBe(0);
    const warns = r.t.logs().filter((l) => l.msg === 'media stream refused: start not authorized');
    expect(warns.length).toBe(attempts.length);
    expect(warns.every((l) => l.level === 'warn')).toBe(true);
    expect(JSON.stringify(r.t.logs())).not.toContain(call.token!);

    // The real stream, with the token from the TwiML, is accepted and greets.
    const c = await r.connectRaw({ callSid: call.callSid, customParameters: { stream_token: call.token! } });
    c.start();
    await c.waitFor(() => c.media.length >= 10, 5000);
    expect(callRow(r, call.callSid)).toMatchObject({ streamTokenHash: null });
    expect(callRow(r, call.callSid)!.streamStartedAt).toBeGreaterThan(0);

    // The same token again (captured from the TwiML): refused, the first stream goes on.
    const session = r.voice.registry.get(call.callSid);
    const replay = await attack(r, call.callSid, { stream_token: call.token! });
    expect(replay.closeCode).toBe(REFUSED);
    expect(r.voice.registry.get(call.callSid)).toBe(session);
    expect(c.closed).toBe(false);
    expect(count(r, 'calls')).toBe(1);
    console.log(
      `[media-security] replay: ${attempts.length + 1} forged starts closed (${closes.join(', ')}, reused=${replay.closeCode}); ` +
        `rows written by them: 0; calls=${count(r, 'calls')}`,
    );
    await c.stop();
  });

  it('a takeover attempt on a live call is refused: the caller still hears the agent and the turns continue', async () => {
    const r = await setup();
    const c = await r.connect({ speed: 2 });
    c.start();
    await until(async () => (await liveState(r, c.callSid)) === 'listening', 8000, 'listening');
    const session = r.voice.registry.get(c.callSid)!;
    const token = c.opts.customParameters!.stream_token!;

    for (const params of [
      {} as Record<string, string>,
      { stream_token: forgedToken() },
      { stream_token: token },
    ]) {
      const a = await attack(r, c.callSid, params, { stop: true });
      expect(a.closeCode).toBe(REFUSED);
      expect(a.media).toHaveLength(0);
    }
    // The real session is the one on the line, unharmed.
    expect(r.voice.registry.get(c.callSid)).toBe(session);
    expect(session.state).toBe('listening');
    expect(c.closed).toBe(false);

    // …and the conversation goes on: a turn is answered with audio on the real socket.
    const heard = c.media.length;
    r.caller.text = 'כמה עולה תספורת?';
    r.openai.scriptChat({ content: 'תספורת עולה שמונים שקלים.', chunkChars: 6, chunkDelayMs: 5 });
    await c.say('price');
    await c.quiet(300);
    await until(() => turnRows(r, c.callSid).length >= 1, 10_000, 'a turn after the takeover attempts');
    await until(() => c.media.length >= heard + 25, 8000, 'the answer heard by the real caller');
    expect(turnRows(r, c.callSid)[0]).toMatchObject({ callerText: 'כמה עולה תספורת?', interrupted: false });
    expect(count(r, 'calls')).toBe(1);
    await c.stop();
  });

  it('start + stop on a finished call never rewrites its transcript or summary', async () => {
    const r = await setup();
    const c = await r.connect({ speed: 2 });
    c.start();
    await until(async () => (await liveState(r, c.callSid)) === 'listening', 8000, 'listening');
    r.caller.text = 'כמה עולה תספורת?';
    r.openai.scriptChat({ content: 'תספורת עולה שמונים שקלים.', chunkChars: 6, chunkDelayMs: 5 });
    await c.say('price');
    await c.quiet(300);
    await until(() => turnRows(r, c.callSid).length >= 1, 10_000, 'a turn');
    await until(async () => (await liveState(r, c.callSid)) === 'listening', 8000, 'answer heard');
    await c.stop();
    await until(() => r.voice.registry.sessions.size === 0, 5000, 'finalized');
    await r.voice.registry.settled();
    const done = callRow(r, c.callSid)!;
    expect(done.transcript).toContain('כמה עולה תספורת?');
    expect(done.summary).toBeTruthy();
    const before = dbState(r);
    const token = c.opts.customParameters!.stream_token!;

    // The stream is over (the call not yet completed at Twilio), then the call is completed.
    for (const params of [
      {} as Record<string, string>,
      { stream_token: forgedToken() },
      { stream_token: token },
    ]) {
      const a = await attack(r, c.callSid, params, { stop: true });
      expect(a.closeCode).toBe(REFUSED);
    }
    await r.voice.registry.settled();
    expect(dbState(r)).toBe(before);
    // A replayed incoming_call issues no new token for a call whose stream already ran.
    const replayed = await r.incomingCall({ CallSid: c.callSid });
    expect(replayed.status).toBe(200);
    expect(replayed.token).toBeUndefined();
    expect(dbState(r)).toBe(before);

    // Twilio reports the call completed: still nothing opens a stream on it.
    const completed = await postTwilio(
      r.t.publicUrl,
      '/webhook/call_status',
      callParams(0, {
        CallSid: c.callSid,
        AccountSid: r.twilio.accountSid,
        CallStatus: 'completed',
        CallDuration: '9',
      }),
      { token: r.twilio.authToken, publicHost: PUBLIC_HOST },
    );
    expect(completed.status).toBe(204);
    const ended = dbState(r);
    expect((await r.incomingCall({ CallSid: c.callSid })).token).toBeUndefined();
    for (const params of [
      {} as Record<string, string>,
      { stream_token: token },
      { stream_token: forgedToken() },
    ]) {
      const a = await attack(r, c.callSid, params, { stop: true });
      expect(a.closeCode).toBe(REFUSED);
    }
    await r.voice.registry.settled();
    expect(callRow(r, c.callSid)).toMatchObject({
      transcript: done.transcript,
      summary: done.summary,
      status: 'completed',
    });
    expect(dbState(r)).toBe(ended);
  });
});

describe('media stream fuzz', () => {
  it('hostile frames (random JSON, huge strings, wrong types, binary, odd starts): server alive, 0 upgrades answered 5xx, 0 rows written', async () => {
    const r = await setup();
    // A real call on the line during the fuzz: it must keep working.
    const real = await r.connect({ speed: 2 });
    real.start();
    await until(async () => (await liveState(r, real.callSid)) === 'listening', 8000, 'listening');
    const realToken = real.opts.customParameters!.stream_token!;
    const rowsBefore = {
      calls: count(r, 'calls'),
      turns: count(r, 'call_turns'),
      customers: count(r, 'customers'),
    };
    const realRowBefore = JSON.stringify({ ...callRow(r, real.callSid), updatedAt: 0 });

    const seed = Number(process.env.FUZZ_SEED ?? 20261201);
    let s = seed >>> 0;
    const rand = () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk = (n = Math.floor(rand() * 64)) => {
      const alphabet = [
        'a',
        'Z',
        '0',
        '"',
        '\\',
        '{',
        '}',
        '[',
        ']',
        '\u0000',
        '\u05d0',
        '\ud83d',
        '\n',
        ' ',
      ];
      let out = '';
      for (let i = 0; i < n; i++) out += pick(alphabet);
      return out;
    };
    const oddParams = (): unknown =>
      pick([
        { stream_token: realToken, call_sid: real.callSid },
        { stream_token: forgedToken() },
        { stream_token: 'x'.repeat(10_000) },
        { stream_token: 42 },
        { stream_token: [realToken] },
        { stream_token: { $ne: null } },
        JSON.parse(`{"__proto__":{"stream_token":"${realToken}"}}`) as unknown,
        { constructor: 'x', stream_token: null },
        'not-an-object',
        [],
        null,
      ]);
    const frame = (): string | Buffer => {
      const sid = pick([real.callSid, randomCallSid(), '', 'CA' + 'z'.repeat(80), '../etc', junk(10)]);
      switch (
        pick([
          'json',
          'start',
          'token',
          'token',
          'media',
          'huge',
          'types',
          'binary',
          'garbage',
          'stop',
        ] as const)
      ) {
        case 'json':
          return JSON.stringify({ event: junk(8), [junk(5)]: junk() });
        case 'start':
          return JSON.stringify({
            event: 'start',
            // Mostly well-shaped, so the token check (not only the schema) is what refuses them.
            streamSid: pick(['MZ' + 'a'.repeat(32), 'MZ' + 'b'.repeat(32), junk(5), 7]),
            start: {
              callSid: sid,
              customParameters: oddParams(),
              tracks: pick([['inbound'], ['inbound'], undefined, 'inbound', null]),
            },
          });
        case 'token':
          // A well-formed start that only the token check can refuse.
          return JSON.stringify({
            event: 'start',
            streamSid: 'MZ' + 'c'.repeat(32),
            start: {
              callSid: pick([real.callSid, randomCallSid()]),
              tracks: ['inbound'],
              customParameters: pick([
                { stream_token: realToken },
                { stream_token: forgedToken() },
                { stream_token: forgedToken().slice(0, 42) },
                { stream_token: '' },
                { stream_token: realToken.toUpperCase() },
                { call_sid: real.callSid, from: '+972501234567' },
                { ['__proto__']: realToken },
              ]),
            },
          });
        case 'media':
          return JSON.stringify({ event: 'media', media: { payload: pick(['////', junk(), 12, null]) } });
        case 'huge':
          return JSON.stringify({
            event: 'start',
            start: {
              callSid: sid,
              customParameters: { stream_token: 'A'.repeat(50_000 + Math.floor(rand() * 40_000)) },
            },
          });
        case 'types':
          return pick([
            '1',
            'true',
            'null',
            '[]',
            '"start"',
            '{"event":1}',
            '{"event":"start","start":[]}',
            '{"event":"stop","stop":7}',
          ]);
        case 'binary':
          return randomBytes(1 + Math.floor(rand() * 2000));
        case 'garbage':
          return junk(200);
        case 'stop':
          return JSON.stringify({ event: 'stop', streamSid: 'MZ1', stop: { callSid: sid } });
      }
    };

    const FRAMES = 500;
    const BUDGET_MS = 20_000;
    const signature = computeTwilioSignature(r.twilio.authToken, MEDIA_URL, {});
    const closeCodes = new Map<number, number>();
    const upgrades = new Map<number, number>();
    let sent = 0;
    let sockets = 0;
    const started = Date.now();
    const worker = async () => {
      while (sent < FRAMES && Date.now() - started < BUDGET_MS) {
        sockets++;
        const ws = new WebSocket(r.wsUrl, { headers: { 'x-twilio-signature': signature } });
        const opened = await new Promise<boolean>((resolve) => {
          ws.once('open', () => {
            upgrades.set(101, (upgrades.get(101) ?? 0) + 1);
            resolve(true);
          });
          ws.once('unexpected-response', (_q, res) => {
            upgrades.set(res.statusCode ?? 0, (upgrades.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve(false);
          });
          ws.once('error', () => resolve(false));
        });
        if (!opened) continue;
        const closed = new Promise<void>((resolve) =>
          ws.once('close', (code) => {
            closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
            resolve();
          }),
        );
        const n = 1 + Math.floor(rand() * 30);
        for (let i = 0; i < n && sent < FRAMES && ws.readyState === WebSocket.OPEN; i++) {
          ws.send(frame());
          sent++;
          if (i % 5 === 4) await new Promise((res) => setTimeout(res, 1));
        }
        if (ws.readyState === WebSocket.OPEN) ws.close(1000);
        await Promise.race([closed, new Promise((res) => setTimeout(res, 3000))]);
        if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const elapsed = Date.now() - started;
    await r.voice.registry.settled();

    const health = await fetch(`${r.t.publicUrl}/healthz`);
    const refusedLogged = r.t
      .logs()
      .filter((l) => l.msg === 'media stream refused: start not authorized').length;
    const rowsAfter = {
      calls: count(r, 'calls'),
      turns: count(r, 'call_turns'),
      customers: count(r, 'customers'),
    };
    const fiveXX = [...upgrades].filter(([code]) => code >= 500).reduce((a, [, n]) => a + n, 0);
    const rowsWritten =
      rowsAfter.calls -
      rowsBefore.calls +
      rowsAfter.turns -
      rowsBefore.turns +
      rowsAfter.customers -
      rowsBefore.customers;
    console.log(
      `[media-fuzz] seed=${seed} frames=${sent} sockets=${sockets} in ${elapsed} ms; upgrades ${JSON.stringify(Object.fromEntries(upgrades))}; ` +
        `closes ${JSON.stringify(Object.fromEntries(closeCodes))}; 5xx=${fiveXX}; healthz=${health.status}; ` +
        `rows written by forged input=${rowsWritten} (before ${JSON.stringify(rowsBefore)}, after ${JSON.stringify(rowsAfter)}); ` +
        `refused starts logged=${refusedLogged}; real call session=${r.voice.registry.get(real.callSid)?.state}`,
    );
    expect(sent).toBe(FRAMES);
    expect(fiveXX).toBe(0);
    expect(health.status).toBe(200);
    expect(rowsWritten).toBe(0);
    // Well-shaped starts were refused by the token check (1008), not only dropped by the schema.
    expect(closeCodes.get(1008) ?? 0).toBeGreaterThan(0);
    // The real call is untouched and still on the line.
    expect(JSON.stringify({ ...callRow(r, real.callSid), updatedAt: 0 })).toBe(realRowBefore);
    expect(real.closed).toBe(false);
    expect(r.voice.registry.get(real.callSid)?.state).toBe('listening');
    expect(r.voice.registry.sessions.size).toBe(1);
    await real.stop();
  }, 60_000);
});
