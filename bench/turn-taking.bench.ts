/**
 * `npm run bench turn-taking`: Hebrew turn taking on a real call, per VAD (energy, Silero 8 kHz,
 * Silero 16 kHz upsampled) × end of turn (fixed silence window: `adaptiveEndOfTurn: false`;
 * adaptive). The caller turns (bench/turn-taking/corpus.ts: mid-utterance pauses after ו/ש/ל/ב/
 * אבל/כי/אם, dictated phone and ID numbers, hesitations, short replies, complete questions, and
 * backchannels said over the agent's answer) are synthesized here with espeak-ng + sox as 8 kHz
 * μ-law with line noise (bench/turn-taking/generate.ts, cached by a hash of the corpus).
 *
 * Each configuration places concurrent calls on one real core over the fake Twilio Media Streams
 * WebSocket, in real time; the callers say their turns and listen. The transcriber is honest
 * (bench/turn-taking/honest-asr.ts: the text of the segments and words the uploaded audio holds,
 * so a speculative transcript taken in a pause has only the words before it); the LLM answers the
 * transcript it gets (a long answer to the questions a backchannel is said over) and the TTS
 * speaks 20 ms of audio per character, all at fixed delays. Only the public protocol is used:
 * what the caller hears (media, `clear`), and the `turn_metrics` log line of each turn.
 *
 * Per configuration:
 * - false cut-ins: turns in which agent audio reached the caller before the caller had finished
 *   (in a mid-utterance pause, or over the words after it); % of all turns.
 * - missed short replies: short-reply turns (כן/לא/בסדר/נכון) that got no answer within 6 s.
 * - false barge-ins: backchannels said ~1 s into the agent's answer that stopped the agent: its
 *   audio was cleared (Twilio `clear`), or the caller heard none of it for IDLE_MS or more (the
 *   answer still had seconds to go); % of the backchannels said (none is said when its question
 *   got no answer). The line may pause under a backchannel and go on where it stopped: that pause
 *   (the longest stretch without agent audio from the backchannel's start to 1.5 s after its end,
 *   from what the caller's playout played) is reported as `backchannel_pause_ms`.
 * - end of turn: caller's speech end → the turn committed (the first answer frame less the
 *   server's own commit → first frame time from `stages_ms`); first audio: speech end → first
 *   agent frame heard. Both p50/p95 (nearest rank) over turns answered without a cut-in.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MediaStreamClient } from '../tests/fakes/media-stream-client';
import type { RecordedOpenAiRequest } from '../tests/fakes/openai';
import { isSummaryRequest, startVoiceRig, type VoiceRig } from '../tests/helpers/voice';
import { buildCorpus, turnText, type Turn, type TurnKind } from './turn-taking/corpus';
import { generateCorpus, NOISE_PEAK, NOISE_PEAK_DB, type GeneratedTurn } from './turn-taking/generate';
import { HonestTranscriber } from './turn-taking/honest-asr';

const ASR_MS = 300;
const LLM_FIRST_MS = 250;
const CHARS_PER_TOKEN = 4;
const TOKEN_MS = 25;
const TTS_MS = 200;
const TTS_MS_PER_CHAR = 20;
const CALLS = Number(process.env.BENCH_TURN_CALLS ?? 20);
/** The agent is idle when nothing has played for this long. */
const IDLE_MS = 700;
/** A turn with no agent audio this long after the caller's speech end got no answer. */
const ANSWER_WAIT_MS = 6000;
/** A backchannel starts this long after the first frame of the answer it is said over. */
const BACKCHANNEL_AFTER_MS = 1000;
/** A `clear` up to this long after the backchannel's end counts as its barge-in. */
const BARGE_IN_WINDOW_MS = 2000;
/** The agent's pause under a backchannel is measured to this long after its end (its answer still plays). */
const PAUSE_WINDOW_MS = 1500;
const VADS = ['energy', 'silero-8k', 'silero-16k'] as const;
const EOTS = ['fixed', 'adaptive'] as const;
/** Trial runs: only these configurations, e.g. BENCH_TURN_ONLY=energy/fixed,silero-8k/adaptive. */
const ONLY = process.env.BENCH_TURN_ONLY?.split(',');

/** Every answer starts with the same first piece: first audio does not depend on the answer. */
const SHORT_ANSWER = 'בשמחה. רשמתי את זה, יש עוד משהו?';
const LONG_ANSWER =
  'בשמחה. אנחנו פתוחים מראשון עד חמישי משמונה בבוקר עד שש בערב, ובימי שישי עד אחת בצהריים. ' +
  'אפשר לקבוע תור בטלפון או באתר, ומומלץ לקבוע כמה ימים מראש. ' +
  'אם תרצו, אני יכול לבדוק עכשיו מה פנוי השבוע.';
const PARTIAL_ANSWER = 'סליחה. לא הבנתי עד הסוף.';

function pct(values: number[], p: number): number | null {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return s.length ? round(s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!) : null;
}
const round = (n: number) => Math.round(n * 10) / 10;
const share = (count: number, of: number) => ({ count, of, pct: of ? round((count / of) * 100) : 0 });
const dist = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TurnResult {
  turn: Turn;
  callSid: string;
  speechEnd: number;
  cutIn: boolean;
  answered: boolean;
  firstAudioMs: number | null;
  endOfTurnMs: number | null;
  /** Backchannels: the agent stopped (its audio cleared, or silent for IDLE_MS or more). */
  bargedIn?: boolean;
  /** Backchannels: the longest pause in the agent's audio around it. */
  pauseMs?: number;
}

/** When the caller's playout of the agent's audio ends (20 ms per frame from its arrival; a clear empties it). */
function playoutEnd(c: MediaStreamClient): number {
  let end = 0;
  for (const e of c.events) {
    if (e.kind === 'media') end = Math.max(end, e.at) + 20;
    else if (e.kind === 'clear') end = e.at;
  }
  return end;
}

/** Until nothing has played for IDLE_MS (bounded). */
async function idle(c: MediaStreamClient, timeoutMs = 20_000): Promise<void> {
  await c.waitFor(() => performance.now() - playoutEnd(c) >= IDLE_MS, timeoutMs).catch(() => undefined);
}

async function oneCall(
  r: VoiceRig,
  ids: string[],
  turns: Map<string, Turn>,
  audio: Map<string, GeneratedTurn>,
  delayMs: number,
): Promise<TurnResult[]> {
  await sleep(delayMs);
  const c = await r.connect({ speed: 1, noise: NOISE_PEAK });
  const out: TurnResult[] = [];
  try {
    c.start();
    await c.waitFor(() => c.media.length > 0, 15_000);
    await idle(c);
    for (let i = 0; i < ids.length; i++) {
      const turn = turns.get(ids[i]!)!;
      const next = turns.get(ids[i + 1] ?? '');
      const buf = audio.get(turn.id)!.audio;
      const sent = c.media.length;
      const saying = c.say(buf);
      const speechStart = performance.now();
      await saying;
      const speechEnd = performance.now();
      const cutIn = c.media.slice(sent).some((m) => m.at >= speechStart && m.at <= speechEnd);
      await c
        .waitFor(() => c.firstMediaAfter(speechEnd) !== undefined, ANSWER_WAIT_MS)
        .catch(() => undefined);
      const first = c.firstMediaAfter(speechEnd);
      out.push({
        turn,
        callSid: c.callSid,
        speechEnd,
        cutIn,
        answered: first !== undefined,
        firstAudioMs: first !== undefined ? first - speechEnd : null,
        endOfTurnMs: null,
      });
      // A backchannel is said over the answer (none when the question got no answer).
      if (next?.kind === 'backchannel') i++;
      if (next?.kind === 'backchannel' && first !== undefined) {
        // Said over the answer: wait into it, then "כן" / "אהה"…
        await c.waitFor(() => performance.now() >= first + BACKCHANNEL_AFTER_MS, 5000);
        const bcStart = performance.now();
        await c.say(audio.get(next.id)!.audio);
        const bcEnd = performance.now();
        await sleep(BARGE_IN_WINDOW_MS);
        const pauseMs = c.longestGap(bcStart, bcEnd + PAUSE_WINDOW_MS);
        const cleared = c.events.some(
          (e) => e.kind === 'clear' && e.at >= bcStart && e.at <= bcEnd + BARGE_IN_WINDOW_MS,
        );
        out.push({
          turn: next,
          callSid: c.callSid,
          speechEnd: bcEnd,
          cutIn: false,
          answered: false,
          firstAudioMs: null,
          endOfTurnMs: null,
          bargedIn: cleared || pauseMs >= IDLE_MS,
          pauseMs,
        });
      }
      await idle(c);
    }
  } finally {
    await c.stop();
  }
  return out;
}

/** The answer the fake LLM streams for what the caller was heard to say. */
function chatReply(byText: Map<string, Turn>) {
  return (req: RecordedOpenAiRequest) => {
    const messages = req.body.messages as Array<{ role: string; content: unknown }>;
    const said = String([...messages].reverse().find((m) => m.role === 'user')?.content ?? '').trim();
    const turn = byText.get(said);
    const content = !turn ? PARTIAL_ANSWER : turn.longAnswer ? LONG_ANSWER : SHORT_ANSWER;
    return {
      content,
      delayMs: LLM_FIRST_MS - TOKEN_MS,
      chunkChars: CHARS_PER_TOKEN,
      chunkDelayMs: TOKEN_MS,
    };
  };
}

async function runConfig(
  r: VoiceRig,
  vad: (typeof VADS)[number],
  eot: (typeof EOTS)[number],
  calls: string[][],
  turns: Map<string, Turn>,
  audio: Map<string, GeneratedTurn>,
) {
  const set = await r.t.api('voice.updateSettings', {
    vad,
    adaptiveEndOfTurn: eot === 'adaptive',
    asrMode: 'speculative',
    pipelineMode: 'streaming',
  });
  if (set.status !== 200) throw new Error(`voice.updateSettings: ${set.status} ${JSON.stringify(set.body)}`);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  const results = (
    await Promise.all(calls.map((ids, i) => oneCall(r, ids, turns, audio, (i * 2000) / calls.length)))
  ).flat();
  loop.disable();
  const seconds = (performance.now() - started) / 1000;

  // Every call ran on the VAD asked for (Silero falls back to energy when its model cannot load).
  const sids = new Set(results.map((t) => t.callSid));
  const logs = r.t.logs();
  const vadsUsed = logs
    .filter((l) => sids.has(String(l.call_sid)) && typeof l.vad === 'string')
    .map((l) => String(l.vad));
  if (vadsUsed.some((k) => k !== vad))
    throw new Error(`${vad}: calls ran on ${[...new Set(vadsUsed)].join(', ')}`);

  // End of turn from each turn's metrics line: its commit → first frame, subtracted from what the caller heard.
  const lines = logs.filter((l) => l.event === 'turn_metrics');
  const used = new Set<Record<string, unknown>>();
  for (const t of results) {
    if (t.turn.kind === 'backchannel' || t.firstAudioMs == null) continue;
    const text = turnText(t.turn);
    const line = lines.find((l) => !used.has(l) && l.call_sid === t.callSid && l.caller_text === text);
    if (!line) continue;
    used.add(line);
    const st = (line.stages_ms ?? {}) as Record<string, number>;
    if (typeof st.firstFrame === 'number' && typeof st.endOfTurn === 'number')
      t.endOfTurnMs = t.firstAudioMs - (st.firstFrame - st.endOfTurn);
  }

  if (process.env.BENCH_TURN_DUMP) {
    // Diagnostics: the server's log lines of every call with a turn that went wrong.
    const bad = new Set(
      results.filter((t) => t.cutIn || (!t.answered && t.turn.kind !== 'backchannel')).map((t) => t.callSid),
    );
    writeFileSync(
      `${process.env.BENCH_TURN_DUMP}/${vad}-${eot}.json`,
      JSON.stringify(
        {
          results: results.map((t) => ({ ...t, turn: t.turn.id })),
          logs: logs.filter((l) => bad.has(String(l.call_sid))),
        },
        null,
        1,
      ),
    );
  }

  const spoken = results.filter((t) => t.turn.kind !== 'backchannel');
  // Turns the server recorded on words that are not a whole caller turn: answers to part of one.
  const whole = new Set(results.map((t) => turnText(t.turn)));
  const partial = lines.filter((l) => sids.has(String(l.call_sid)) && !whole.has(String(l.caller_text)));
  const withPauses = spoken.filter((t) => t.turn.segments.length > 1);
  const shorts = spoken.filter((t) => t.turn.kind === 'short');
  const backchannels = results.filter((t) => t.turn.kind === 'backchannel');
  const clean = spoken.filter((t) => t.answered && !t.cutIn);
  const kinds: TurnKind[] = ['pause', 'digits', 'hesitation', 'short', 'question'];
  return {
    vad,
    end_of_turn: eot,
    turns: spoken.length,
    false_cut_ins: share(spoken.filter((t) => t.cutIn).length, spoken.length),
    false_cut_ins_in_turns_with_pauses: share(withPauses.filter((t) => t.cutIn).length, withPauses.length),
    missed_short_replies: share(shorts.filter((t) => !t.answered).length, shorts.length),
    unanswered_turns: spoken.filter((t) => !t.answered).length,
    turns_recorded_on_part_of_a_turn: partial.length,
    cut_in_turn_ids: spoken.filter((t) => t.cutIn).map((t) => t.turn.id),
    unanswered_turn_ids: spoken.filter((t) => !t.answered).map((t) => t.turn.id),
    false_barge_ins: share(backchannels.filter((t) => t.bargedIn).length, backchannels.length),
    backchannel_pause_ms: dist(backchannels.map((t) => t.pauseMs ?? NaN)),
    end_of_turn_ms: dist(clean.flatMap((t) => (t.endOfTurnMs == null ? [] : [t.endOfTurnMs]))),
    first_audio_ms: dist(clean.map((t) => t.firstAudioMs!)),
    by_kind: Object.fromEntries(
      kinds.map((k) => {
        const of = spoken.filter((t) => t.turn.kind === k);
        const ok = of.filter((t) => t.answered && !t.cutIn);
        return [
          k,
          {
            turns: of.length,
            cut_ins: of.filter((t) => t.cutIn).length,
            unanswered: of.filter((t) => !t.answered).length,
            end_of_turn_p50_ms: pct(
              ok.flatMap((t) => (t.endOfTurnMs == null ? [] : [t.endOfTurnMs])),
              50,
            ),
            first_audio_p50_ms: pct(
              ok.map((t) => t.firstAudioMs!),
              50,
            ),
          },
        ];
      }),
    ),
    // Timing figures need the CPU: other work on the machine (load) and this process's loop delay.
    event_loop_delay_p99_ms: round(loop.percentile(99) / 1e6),
    loadavg_1m: round(os.loadavg()[0]!),
    seconds: round(seconds),
  };
}

/** The result as a Markdown table (printed; the JSON holds the same figures). */
function table(rows: Array<Awaited<ReturnType<typeof runConfig>>>): string {
  const f = (n: number | null) => (n == null ? '–' : String(Math.round(n)));
  const lines = [
    '| VAD | end of turn | false cut-ins | missed short replies | false barge-ins | backchannel pause p50 / p95 ms | end of turn p50 / p95 ms | first audio p50 / p95 ms |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.vad} | ${r.end_of_turn} | ${r.false_cut_ins.pct}% (${r.false_cut_ins.count}/${r.false_cut_ins.of}) | ` +
        `${r.missed_short_replies.count}/${r.missed_short_replies.of} | ${r.false_barge_ins.pct}% (${r.false_barge_ins.count}/${r.false_barge_ins.of}) | ` +
        `${f(r.backchannel_pause_ms.p50)} / ${f(r.backchannel_pause_ms.p95)} | ` +
        `${f(r.end_of_turn_ms.p50)} / ${f(r.end_of_turn_ms.p95)} | ${f(r.first_audio_ms.p50)} / ${f(r.first_audio_ms.p95)} |`,
    ),
  ];
  return lines.join('\n');
}

export default async function turnTaking(): Promise<Record<string, unknown>> {
  const corpus = buildCorpus(CALLS);
  const t0 = performance.now();
  const generated = await generateCorpus(corpus);
  const generateSeconds = (performance.now() - t0) / 1000;
  const turns = new Map(corpus.turns.map((t) => [t.id, t]));
  const byText = new Map(corpus.turns.filter((t) => t.kind !== 'backchannel').map((t) => [turnText(t), t]));
  const asr = new HonestTranscriber(generated.turns.values());

  const r = await startVoiceRig({ google: { msPerChar: TTS_MS_PER_CHAR } });
  const rows = [];
  try {
    r.google.setDelay(TTS_MS);
    r.openai.setDefaultTranscription((req) => ({
      text: asr.transcribe(req.files.find((f) => f.field === 'file')!.data).text,
      delayMs: ASR_MS,
    }));
    r.openai.setDefaultChat(chatReply(byText));
    r.openai.setDefaultJsonChat((req) =>
      isSummaryRequest(req)
        ? JSON.stringify({
            summary: 'הלקוח שאל שאלות וקבע תור.',
            name: null,
            reason: 'בירור',
            callback_requested: false,
            urgency: 'normal',
          })
        : '{}',
    );
    for (const vad of VADS)
      for (const eot of EOTS) {
        if (ONLY && !ONLY.includes(`${vad}/${eot}`)) continue;
        const row = await runConfig(r, vad, eot, corpus.calls, turns, generated.turns);
        rows.push(row);
        console.log(`turn-taking ${vad}/${eot}: ${row.seconds} s`);
      }
  } finally {
    await r.stop();
  }
  if (process.env.BENCH_TURN_DUMP)
    asr.unheard.forEach((mu, i) => writeFileSync(`${process.env.BENCH_TURN_DUMP}/unheard-${i}.ulaw`, mu));
  console.log(table(rows));
  const kinds: Record<string, number> = {};
  for (const t of corpus.turns) kinds[t.kind] = (kinds[t.kind] ?? 0) + 1;
  return {
    corpus: {
      turns: corpus.turns.length,
      by_kind: kinds,
      caller_audio_s: round([...generated.turns.values()].reduce((a, t) => a + t.audio.length, 0) / 8000),
      line_noise_peak_dbfs: NOISE_PEAK_DB,
      cached: generated.cached,
      generate_s: round(generateSeconds),
    },
    calls_per_config: CALLS,
    fake_delays_ms: {
      asr: ASR_MS,
      llm_first_token: LLM_FIRST_MS,
      llm_ms_per_token: TOKEN_MS,
      tts_per_request: TTS_MS,
      tts_audio_per_char: TTS_MS_PER_CHAR,
    },
    percentiles: 'nearest rank',
    asr_uploads: asr.uploads,
    asr_uploads_without_speech: asr.empty,
    configs: rows,
  };
}
