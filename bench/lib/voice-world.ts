/**
 * The outside world of the concurrency benchmark, in its own process (so its load does not sit
 * on the server's event loop): fake OpenAI / Google TTS / Twilio REST, and N Twilio Media
 * Streams callers that hear the greeting, say one Hebrew sentence at real-time pace and hear
 * the answer. Each caller checks that the audio it received is exactly what the server should
 * have sent, in order (no dropped or reordered frames).
 */
import { writeFileSync } from 'node:fs';
import { FILLER_TEXT, greetingText } from '../../src-main/agent/prompt';
import { speakable } from '../../src-main/agent/sentence-cutter';
import { mulawEncode } from '../../src-main/audio/mulaw';
import { pcm16FromBuffer } from '../../src-main/audio/pcm';
import { startFakeGoogleTts } from '../../tests/fakes/google-tts';
import { startFakeOpenAI } from '../../tests/fakes/openai';
import { startFakeTwilio } from '../../tests/fakes/twilio-rest';
import { openTwilioStream } from '../../tests/helpers/twilio';

export const ANSWER_PIECES = ['תספורת עולה שמונים שקלים.', 'רוצים לקבוע תור?'];

const send = (msg: unknown) => process.send!(msg);

const [openai, google, twilio] = await Promise.all([
  startFakeOpenAI(),
  startFakeGoogleTts({ msPerChar: 20 }),
  startFakeTwilio(),
]);
openai.setDefaultTranscription('כמה עולה תספורת?');
openai.setDefaultChat(ANSWER_PIECES.join(' '));
/** The after-call summary (a JSON-mode request): what the model would extract from this call. */
const SUMMARY = {
  summary: 'הלקוח שאל כמה עולה תספורת.',
  name: null,
  reason: 'מחיר תספורת',
  callback_requested: false,
  urgency: 'normal',
};
openai.setDefaultJsonChat(SUMMARY);

const framed = (text: string): Buffer => {
  const mu = mulawEncode(pcm16FromBuffer(google.renderPcm(speakable(text))));
  const pad = (160 - (mu.length % 160)) % 160;
  return Buffer.concat([mu, Buffer.alloc(pad, 0xff)]);
};

interface RunMsg {
  type: 'run';
  n: number;
  wsUrl: string;
  /** The core's public server and PUBLIC_HOST: each call starts with the signed incoming_call webhook. */
  publicUrl: string;
  publicHost: string;
  signature: string;
  businessName: string;
  staggerMs: number;
}

let dumps = 0;

/** The received audio as a sequence of known lines (greeting, filler, a0, a1) and unknown frames. */
function segments(got: Buffer, known: Array<[string, Buffer]>): string {
  const out: string[] = [];
  let unknown = 0;
  let i = 0;
  while (i < got.length) {
    const hit = known.find(([, b]) => got.subarray(i, i + b.length).equals(b));
    if (hit) {
      if (unknown) out.push(`?${unknown}`);
      unknown = 0;
      out.push(hit[0]);
      i += hit[1].length;
    } else {
      unknown++;
      i += 160;
    }
  }
  if (unknown) out.push(`?${unknown}`);
  if (process.env.BENCH_VOICE_DUMP && out.some((x) => x.startsWith('?')))
    writeFileSync(`${process.env.BENCH_VOICE_DUMP}/${process.pid}-${++dumps}.ulaw`, got);
  return out.join(' ');
}

/** How often `needle` occurs in `hay`. */
function occurrences(hay: Buffer, needle: Buffer): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
}

async function oneCall(
  m: RunMsg,
  expected: Buffer,
  expectedWithFiller: Buffer,
  delay: number,
  parts: { filler: Buffer; answer: Buffer; known: Array<[string, Buffer]> },
) {
  await new Promise((r) => setTimeout(r, delay));
  // As Twilio places a call: incoming_call, then the stream with the TwiML's single-use token.
  const c = await openTwilioStream({
    publicUrl: m.publicUrl,
    publicHost: m.publicHost,
    authToken: twilio.authToken,
    params: { AccountSid: twilio.accountSid },
    signature: m.signature,
    client: { speed: 1 },
  });
  c.start();
  await c.quiet(1500);
  await c.say('price');
  const speechEnd = performance.now();
  c.quiet(20_000).catch(() => undefined);
  // The answer is complete when the expected number of frames arrived (or it never does).
  await c.waitFor(() => c.media.length >= expected.length / 160, 20_000).catch(() => undefined);
  // Then any extra audio (a filler line, whatever its length): wait until the line goes quiet.
  {
    let last = c.media.length;
    let quietSince = performance.now();
    await c
      .waitFor(() => {
        if (c.media.length !== last) {
          last = c.media.length;
          quietSince = performance.now();
        }
        return performance.now() - quietSince > 600;
      }, 10_000)
      .catch(() => undefined);
  }
  const answerAt = c.media.find((x) => x.at >= speechEnd)?.at;
  await new Promise((r) => setTimeout(r, 300));
  await c.stop();
  const got = c.outboundAudio();
  // A slow turn legitimately says the filler line before the answer.
  const filler = got.length === expectedWithFiller.length;
  const want = filler ? expectedWithFiller : expected;
  let firstDiff = -1;
  const len = Math.min(got.length, want.length);
  for (let i = 0; i < len; i++)
    if (got[i] !== want[i]) {
      firstDiff = i;
      break;
    }
  const ok = firstDiff < 0 && got.length === want.length;
  return {
    ok,
    frames: c.media.length,
    expectedFrames: expected.length / 160,
    firstDiff,
    clears: c.clears,
    marks: c.marksEchoed.length,
    filler,
    // What the extra audio was: the filler line, or the answer said more than once.
    fillerHeard: occurrences(got, parts.filler) > 0,
    answersHeard: occurrences(got, parts.answer),
    heard: ok ? undefined : segments(got, parts.known),
    firstAnswerMs: answerAt ? answerAt - speechEnd : null,
  };
}

/** A call that has not finished in this long fails (a refused stream must not hang the bench). */
const CALL_TIMEOUT_MS = 60_000;
function bounded<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`call not finished within ${CALL_TIMEOUT_MS} ms`)),
      CALL_TIMEOUT_MS,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

process.on('message', (raw: unknown) => {
  const m = raw as RunMsg | { type: 'exit' };
  if (m.type === 'exit') {
    void Promise.all([openai.close(), google.close(), twilio.close()]).then(() => process.exit(0));
    return;
  }
  const greeting = framed(greetingText({ name: m.businessName, knowledge: { greeting: '' } } as never));
  const expected = Buffer.concat([greeting, ...ANSWER_PIECES.map(framed)]);
  const expectedWithFiller = Buffer.concat([greeting, framed(FILLER_TEXT), ...ANSWER_PIECES.map(framed)]);
  const parts = {
    filler: framed(FILLER_TEXT),
    answer: framed(ANSWER_PIECES[0]!),
    known: [
      ['greeting', greeting],
      ['filler', framed(FILLER_TEXT)],
      ...ANSWER_PIECES.map((p, i): [string, Buffer] => [`a${i}`, framed(p)]),
      // The whole answer as one piece (the stream arrived in one chunk).
      ['a01', framed(ANSWER_PIECES.join(' '))],
    ] as Array<[string, Buffer]>,
  };
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  // The world's own event-loop lag (a late client sends late frames).
  let lagMax = 0;
  let last = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    lagMax = Math.max(lagMax, now - last - 10);
    last = now;
  }, 10);
  void Promise.all(
    Array.from({ length: m.n }, (_, i) =>
      bounded(oneCall(m, expected, expectedWithFiller, (i * m.staggerMs) / m.n, parts)).catch(
        (err: unknown) => ({
          ok: false,
          error: String(err),
          frames: 0,
          expectedFrames: 0,
          firstDiff: -1,
          clears: 0,
          marks: 0,
          filler: false,
          fillerHeard: false,
          answersHeard: 0,
          firstAnswerMs: null,
        }),
      ),
    ),
  ).then((results) => {
    clearInterval(lagTimer);
    const used = process.cpuUsage(cpu0);
    const seconds = performance.now() - started;
    send({
      type: 'result',
      results,
      seconds: seconds / 1000,
      worldLagMaxMs: Math.round(lagMax),
      worldCpuPct: Math.round(((used.user + used.system) / 1000 / seconds) * 100),
      ttsRequests: google.requests.length,
    });
  });
});

send({
  type: 'ready',
  openaiUrl: openai.url,
  googleUrl: google.url,
  twilioUrl: twilio.url,
  accountSid: twilio.accountSid,
  authToken: twilio.authToken,
  summaryText: SUMMARY.summary,
});
