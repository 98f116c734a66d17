/**
 * Concurrency of the phone agent: N simultaneous calls, each with real-time-paced inbound audio
 * (a greeting heard, one Hebrew sentence said, an answer heard). The callers and fakes run in a
 * child process; this process runs the core. For growing N: inbound frame handling time (p50/p99
 * per media frame in the session), this process's event-loop delay, and whether every caller
 * received exactly the expected audio (no dropped or reordered outbound frames).
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
import { computeTwilioSignature } from '../src-main/telephony/twilio-signature';
import type { VoiceModule } from '../src-main/telephony/media/voice-module';

const here = path.dirname(fileURLToPath(import.meta.url));
const STEPS = (process.env.BENCH_VOICE_STEPS ?? '50,100,200,300,400').split(',').map(Number);
const PUBLIC_HOST = 'bench.agentlocator.test';
/** A folder: each step's server-process CPU profile is written there (node:inspector). */
const PROFILE_DIR = process.env.BENCH_VOICE_PROFILE_DIR;
const LOG_LEVEL = process.env.BENCH_VOICE_LOG_LEVEL ?? 'warn';
/** Run every step even after one fails (before/after comparisons). */
const KEEP_GOING = process.env.BENCH_VOICE_ALL_STEPS === '1';

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
  try {
    const url = (await core.startPublic()).replace('localhost', '127.0.0.1');
    const voice = core.modules.find((m) => m.name === 'voice') as VoiceModule;
    core.business.updateProfile({ name: 'מספרת דני' });
    await voice.speech.warm('שלום, הגעתם למספרת דני. איך אפשר לעזור?', 'greeting');
    const signature = computeTwilioSignature(world.authToken, `wss://${PUBLIC_HOST}/ws/twilio-media`, {});
    for (const n of STEPS) {
      voice.registry.inbound.reset();
      warned = {};
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
      const step = {
        calls: n,
        inbound_frames: voice.registry.inbound.count,
        inbound_handling_p50_ms: Math.round(voice.registry.inbound.percentile(50) * 1000) / 1000,
        inbound_handling_p99_ms: Math.round(p99 * 1000) / 1000,
        inbound_handling_max_ms: Math.round(voice.registry.inbound.percentile(100) * 1000) / 1000,
        event_loop_delay_p99_ms: Math.round(eld.percentile(99) / 1e4) / 100,
        event_loop_delay_max_ms: Math.round(eld.max / 1e4) / 100,
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
        answer_first_audio_p95_ms: pctOf(
          res.results.map((r) => r.firstAnswerMs),
          95,
        ),
        server_warnings: warned,
        bad_examples: bad.slice(0, 3),
        world_seconds: Math.round(res.seconds * 10) / 10,
        world_lag_max_ms: res.worldLagMaxMs,
        world_cpu_pct: res.worldCpuPct,
        pass: p99 < 5 && bad.length === 0,
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
  const passing = steps.filter((s) => s.pass).map((s) => s.calls as number);
  return {
    steps,
    max_calls_passing: passing.length ? Math.max(...passing) : 0,
    target_calls: 200,
    criteria: 'inbound handling p99 < 5 ms and every caller heard exactly the expected frames',
  };
}
