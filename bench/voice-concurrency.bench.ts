/**
 * Concurrency of the phone agent: N simultaneous calls, each with real-time-paced inbound audio
 * (a greeting heard, one Hebrew sentence said, an answer heard). The callers and fakes run in a
 * child process; this process runs the core. For growing N: inbound frame handling time (p50/p99
 * per media frame in the session), this process's event-loop delay, and whether every caller
 * received exactly the expected audio (no dropped or reordered outbound frames).
 *
 * A step passes when every check of PASS_RULE holds (each step's `checks` shows the measured value
 * next to its bound): every caller heard exactly the expected audio and got an answer, the answer
 * came in time (p95 caller speech end → first answer frame), the server's event loop never
 * stalled longer than the outbound audio lead, and every after-call summary came from the model.
 * `max_calls_passing` is the largest N that passed with every smaller step passing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Writable } from 'node:stream';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createCore } from '../src-main/core';
import { loadConfig } from '../src-main/platform/config';
import { createLogger } from '../src-main/platform/logger';
import { computeTwilioSignature } from '../src-main/platform/twilio-signature';
import { VOICE_SERVICES } from '../src-main/telephony/media/voice-module';

const here = path.dirname(fileURLToPath(import.meta.url));
const STEPS = (process.env.BENCH_VOICE_STEPS ?? '50,100,200,300,400')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const PUBLIC_HOST = 'bench.agentlocator.test';
/** A folder: each step's server-process CPU profile is written there (node:inspector). */
const PROFILE_DIR = process.env.BENCH_VOICE_PROFILE_DIR;
const LOG_LEVEL = process.env.BENCH_VOICE_LOG_LEVEL ?? 'warn';
/** Run every step even after one fails (before/after comparisons). */
const KEEP_GOING = process.env.BENCH_VOICE_ALL_STEPS === '1';

/**
 * The fakes answer at once (ASR, chat and TTS: no added delay), so the answer time is the end-of-turn
 * silence window plus the server's own work. The caller asks a complete question, for which the
 * adaptive window is shorter than the base window; the bound uses the base window.
 */
const WARMUP_CALLS = 2;
const FAKE_DELAYS_MS = { asr: 0, llm_first_token: 0, tts: 0 };
const SILENCE_WINDOW_MS = 700; // voice setting silenceMs, default
const ANSWER_ALLOWANCE_MS = 400;
/** The player sends audio this far ahead of the caller's playout (player.ts leadMs): a longer stall is a gap the caller hears. */
const PLAYER_LEAD_MS = 160;
/** The player's pacing tick (player.ts tickMs). */
const PLAYER_TICK_MS = 40;
const PASS_RULE = {
  every_call_exact_audio:
    'every caller heard exactly greeting + answer (a filler line before the answer allowed), in order',
  every_call_answered: 'every caller heard the first answer frame',
  answer_first_audio_p95_ms_max:
    SILENCE_WINDOW_MS +
    FAKE_DELAYS_MS.asr +
    FAKE_DELAYS_MS.llm_first_token +
    FAKE_DELAYS_MS.tts +
    ANSWER_ALLOWANCE_MS,
  answer_bound_basis: `silence window ${SILENCE_WINDOW_MS} ms + fake delays ${JSON.stringify(FAKE_DELAYS_MS)} + ${ANSWER_ALLOWANCE_MS} ms allowance; measured by the caller from its last speech frame`,
  event_loop_delay_max_ms_max: PLAYER_LEAD_MS,
  event_loop_delay_p99_ms_max: PLAYER_TICK_MS,
  event_loop_bound_basis: `a stall longer than the outbound lead (${PLAYER_LEAD_MS} ms) starves the caller's playout; p99 within one player tick (${PLAYER_TICK_MS} ms)`,
  inbound_handling_p99_ms_max: 5,
  after_call_summaries: 'every call got its summary from the model (no "call summary failed")',
};

interface CallResult {
  ok: boolean;
  frames: number;
  expectedFrames: number;
  firstDiff: number;
  clears: number;
  firstAnswerMs: number | null;
  filler: boolean;
  fillerHeard: boolean;
  answersHeard: number;
  error?: string;
}

function pctOf(values: Array<number | null>, p: number): number | null {
  const v = values.filter((x): x is number => x != null).sort((a, b) => a - b);
  return v.length ? Math.round(v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!) : null;
}

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if ((m as { type?: string }).type === type) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
  });
}

export default async function voiceConcurrency(): Promise<Record<string, unknown>> {
  const child = fork(path.join(here, 'lib', 'voice-world.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const world = await next<{
    openaiUrl: string;
    googleUrl: string;
    twilioUrl: string;
    accountSid: string;
    authToken: string;
    summaryText: string;
  }>(child, 'ready');
  // WARN and ERROR lines of the server, counted by message (and error) per step.
  let warned: Record<string, number> = {};
  const warnings = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const l = JSON.parse(line) as { level?: number | string; msg?: string; err?: unknown };
        if (typeof l.level === 'number' ? l.level < 40 : !/warn|error|fatal/.test(String(l.level))) continue;
        const err = typeof l.err === 'string' ? l.err : (l.err as { message?: string } | undefined)?.message;
        const k = `${l.msg ?? ''}${err ? `: ${err.slice(-90)}` : ''}`;
        warned[k] = (warned[k] ?? 0) + 1;
      }
      done();
    },
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOCAL_PORT: '0',
    AGENTLOCATOR_DATA_DIR: dataDir,
    PUBLIC_HOST,
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: world.openaiUrl,
    GOOGLE_TTS_ENDPOINT: world.googleUrl,
    TWILIO_ACCOUNT_SID: world.accountSid,
    TWILIO_AUTH_TOKEN: world.authToken,
    TWILIO_API_BASE_URL: world.twilioUrl,
    PUBLIC_RATE_LIMIT_PER_MIN: '1000000',
    WEBHOOK_RATE_LIMIT_PER_MIN: '100000',
  });
  const core = await createCore({
    config,
    mode: 'browser',
    logger: createLogger({ level: LOG_LEVEL, stdout: false, extra: warnings }),
  });
  const steps: Array<Record<string, unknown>> = [];
  let warmup: { calls: number; calls_with_exact_audio: number } | undefined;
  try {
    const url = (await core.startPublic()).replace('localhost', '127.0.0.1');
    const voice = core.services.require(VOICE_SERVICES);
    core.business.updateProfile({ name: 'מספרת דני' });
    await voice.speech.warm('שלום, הגעתם למספרת דני. איך אפשר לעזור?', 'greeting');
    const summaries = core.db.$client.prepare('select count(*) as n from calls where summary = ?');
    const modelSummaries = () => (summaries.get(world.summaryText) as { n: number }).n;
    const signature = computeTwilioSignature(world.authToken, `wss://${PUBLIC_HOST}/ws/twilio-media`, {});
    const run = (n: number) =>
      child.send({
        type: 'run',
        n,
        wsUrl: `${url.replace('http', 'ws')}/ws/twilio-media`,
        publicUrl: url,
        publicHost: PUBLIC_HOST,
        signature,
        businessName: 'מספרת דני',
        staggerMs: 1000,
      });
    // Warm-up, not a step: first-call costs (JIT, first renders, prepared statements) stay out of step 1.
    run(WARMUP_CALLS);
    const warm = await next<{ results: CallResult[] }>(child, 'result');
    await voice.registry.settled();
    warmup = { calls: WARMUP_CALLS, calls_with_exact_audio: warm.results.filter((r) => r.ok).length };
    for (const n of STEPS) {
      voice.registry.inbound.reset();
      warned = {};
      const summaries0 = modelSummaries();
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      const eld = monitorEventLoopDelay({ resolution: 1 });
      eld.enable();
      const gc = { count: 0, totalMs: 0, maxMs: 0 };
      const gcObs = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gc.count++;
          gc.totalMs += e.duration;
          gc.maxMs = Math.max(gc.maxMs, e.duration);
        }
      });
      gcObs.observe({ entryTypes: ['gc'] });
      // Server-side fillers (turn deadline lines), counted where the session asks for them.
      let fillers = 0;
      const fillerProviders: Record<string, number> = {};
      const line = voice.speech.line.bind(voice.speech);
      voice.speech.line = async (text, phrase, signal) => {
        const r = await line(text, phrase, signal);
        if (phrase === 'filler') {
          fillers++;
          const k = `${r.provider}${r.cached ? '(cached)' : ''}${r.error ? `(${r.error})` : ''}`;
          fillerProviders[k] = (fillerProviders[k] ?? 0) + 1;
        }
        return r;
      };
      const profiler = PROFILE_DIR ? new Session() : undefined;
      if (profiler) {
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
        await profiler.post('Profiler.start');
      }
      run(n);
      const res = await next<{
        results: CallResult[];
        seconds: number;
        worldLagMaxMs: number;
        worldCpuPct: number;
      }>(child, 'result');
      eld.disable();
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - wall0;
      gcObs.disconnect();
      voice.speech.line = line;
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        mkdirSync(PROFILE_DIR!, { recursive: true });
        writeFileSync(path.join(PROFILE_DIR!, `voice-${n}.cpuprofile`), JSON.stringify(profile));
        profiler.disconnect();
      }
      await voice.registry.settled();
      const bad = res.results.filter((r) => !r.ok);
      const p99 = voice.registry.inbound.percentile(99);
      const answerP95 = pctOf(
        res.results.map((r) => r.firstAnswerMs),
        95,
      );
      const unanswered = res.results.filter((r) => r.firstAnswerMs == null).length;
      const eldMax = Math.round(eld.max / 1e4) / 100;
      const eldP99 = Math.round(eld.percentile(99) / 1e4) / 100;
      const summariesFromModel = modelSummaries() - summaries0;
      const summaryFailures = Object.entries(warned)
        .filter(([k]) => k.startsWith('call summary failed'))
        .reduce((a, [, v]) => a + v, 0);
      const checks = {
        every_call_exact_audio: { value: n - bad.length, bound: n, ok: bad.length === 0 },
        every_call_answered: { value: n - unanswered, bound: n, ok: unanswered === 0 },
        answer_first_audio_p95_ms: {
          value: answerP95,
          bound: PASS_RULE.answer_first_audio_p95_ms_max,
          ok: answerP95 != null && answerP95 < PASS_RULE.answer_first_audio_p95_ms_max,
        },
        event_loop_delay_max_ms: {
          value: eldMax,
          bound: PASS_RULE.event_loop_delay_max_ms_max,
          ok: eldMax < PASS_RULE.event_loop_delay_max_ms_max,
        },
        event_loop_delay_p99_ms: {
          value: eldP99,
          bound: PASS_RULE.event_loop_delay_p99_ms_max,
          ok: eldP99 < PASS_RULE.event_loop_delay_p99_ms_max,
        },
        inbound_handling_p99_ms: {
          value: Math.round(p99 * 1000) / 1000,
          bound: PASS_RULE.inbound_handling_p99_ms_max,
          ok: p99 < PASS_RULE.inbound_handling_p99_ms_max,
        },
        after_call_summaries: {
          value: summariesFromModel,
          bound: n,
          ok: summariesFromModel === n && summaryFailures === 0,
        },
      };
      const failedChecks = Object.entries(checks)
        .filter(([, c]) => !c.ok)
        .map(([k]) => k);
      const step = {
        calls: n,
        inbound_frames: voice.registry.inbound.count,
        inbound_handling_p50_ms: Math.round(voice.registry.inbound.percentile(50) * 1000) / 1000,
        inbound_handling_p99_ms: Math.round(p99 * 1000) / 1000,
        inbound_handling_max_ms: Math.round(voice.registry.inbound.percentile(100) * 1000) / 1000,
        event_loop_delay_p99_ms: eldP99,
        event_loop_delay_max_ms: eldMax,
        calls_with_exact_audio: n - bad.length,
        // The server process's CPU use over the step, in % of one core (2 cores shared with the callers).
        server_cpu_pct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
        gc_count: gc.count,
        gc_total_ms: Math.round(gc.totalMs),
        gc_max_ms: Math.round(gc.maxMs * 10) / 10,
        server_fillers: fillers,
        server_filler_sources: fillerProviders,
        calls_with_filler: res.results.filter((r) => r.filler).length,
        calls_hearing_filler: res.results.filter((r) => r.fillerHeard).length,
        calls_with_repeated_answer: res.results.filter((r) => r.answersHeard > 1).length,
        answer_first_audio_p50_ms: pctOf(
          res.results.map((r) => r.firstAnswerMs),
          50,
        ),
        answer_first_audio_p95_ms: answerP95,
        after_call_summary_failures: summaryFailures,
        after_call_summaries_from_model: summariesFromModel,
        server_warnings: warned,
        bad_examples: bad.slice(0, 3),
        world_seconds: Math.round(res.seconds * 10) / 10,
        world_lag_max_ms: res.worldLagMaxMs,
        world_cpu_pct: res.worldCpuPct,
        checks,
        failed_checks: failedChecks,
        pass: failedChecks.length === 0,
      };
      steps.push(step);
      console.log(JSON.stringify(step));
      if (!step.pass && !KEEP_GOING) break;
    }
  } finally {
    child.send({ type: 'exit' });
    await core.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The largest N that passed with every smaller step passing (a later pass after a failure does not count).
  let maxPassing = 0;
  for (const s of [...steps].sort((a, b) => (a.calls as number) - (b.calls as number))) {
    if (!s.pass) break;
    maxPassing = s.calls as number;
  }
  const firstFailed = steps.find((s) => !s.pass);
  return {
    steps_requested: STEPS,
    warmup: warmup ?? null,
    steps,
    max_calls_passing: maxPassing,
    first_failing_step: firstFailed
      ? { calls: firstFailed.calls, failed_checks: firstFailed.failed_checks }
      : null,
    target_calls: 200,
    meets_target: maxPassing >= 200,
    pass_rule: PASS_RULE,
  };
}
