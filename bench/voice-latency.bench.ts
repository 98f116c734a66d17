/**
 * Turn latency of the phone agent: caller speech end → first outbound audio frame, over a real
 * WebSocket with real-time audio, against fakes with fixed delays (ASR 300 ms, LLM first token
 * 250 ms then 40 tokens/s, TTS 200 ms per request). Streaming pipeline (speculative transcript,
 * adaptive end of turn, clause-by-clause TTS) vs the sequential baseline (transcript after the
 * turn, whole answer, one TTS request). Overhead = measured − VAD silence − fake delays on the
 * critical path. A third row: the streaming pipeline with live transcription (asrMode
 * 'streaming': one transcription session per call over the Realtime fake, the caller's speech
 * streamed as heard, committed at the pause, the transcript STREAM_ASR_MS after the commit)
 * instead of the speculative upload (ASR_MS after the upload).
 */
import { eq } from 'drizzle-orm';
import { callTurns } from '../src-main/db/schema';
import type { MediaStreamClient } from '../tests/fakes/media-stream-client';
import { startVoiceRig, type VoiceRig } from '../tests/helpers/voice';

const ASR_MS = 300;
/** Live transcription: the transcript this long after the commit (no upload, audio already there). */
const STREAM_ASR_MS = 150;
/** Silence into a pause when the speculative upload / the live commit happens (session TIMING). */
const PAUSE_AT_MS = 240;
const LLM_FIRST_MS = 250;
const CHARS_PER_TOKEN = 4;
const TOKEN_MS = 25; // 40 tokens/s
const TTS_MS = 200;
const TURNS = 10;
const ANSWER = 'תספורת עולה שמונים שקלים. רוצים שאקבע לכם תור למחר בבוקר?';
const FIRST_PIECE = 'תספורת עולה שמונים שקלים.';

/** When the fake has streamed `chars` characters: first token at 250 ms, then one 4-char token per 25 ms. */
const llmMsFor = (chars: number) => LLM_FIRST_MS + (Math.ceil(chars / CHARS_PER_TOKEN) - 1) * TOKEN_MS;

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
}
const round = (n: number) => Math.round(n * 10) / 10;

async function waitListening(r: VoiceRig, c: MediaStreamClient): Promise<void> {
  await c.waitFor(() => r.voice.registry.get(c.callSid)?.state === 'listening', 15_000);
}

async function runMode(mode: 'streaming' | 'sequential', asr: 'speculative' | 'streaming' = 'speculative') {
  const live = asr === 'streaming';
  const r = await startVoiceRig({
    asrDelayMs: ASR_MS,
    google: { msPerChar: 15 },
    ...(live ? { realtime: { transcriptDelayMs: STREAM_ASR_MS } } : {}),
  });
  try {
    r.google.setDelay(TTS_MS);
    await r.t.api('voice.updateSettings', { pipelineMode: mode, asrMode: asr });
    r.openai.setDefaultChat({
      content: ANSWER,
      delayMs: LLM_FIRST_MS - TOKEN_MS,
      chunkChars: CHARS_PER_TOKEN,
      chunkDelayMs: TOKEN_MS,
    });
    r.caller.text = 'כמה עולה תספורת?';
    const c = await r.connect({ speed: 1 });
    c.start();
    await waitListening(r, c);
    const samples: Array<{
      measured: number;
      vadMs: number;
      overhead: number;
      serverFirstAudio: number;
      asrMs: number;
    }> = [];
    for (let i = 0; i < TURNS; i++) {
      await c.quiet(300);
      await c.say(i % 2 ? 'name' : 'price');
      const speechEnd = performance.now();
      await c.waitFor(() => c.firstMediaAfter(speechEnd) !== undefined, 15_000);
      const measured = c.firstMediaAfter(speechEnd)! - speechEnd;
      await c.waitFor(
        () => r.t.core.db.select().from(callTurns).where(eq(callTurns.callSid, c.callSid)).all().length > i,
        15_000,
      );
      await waitListening(r, c);
      const row = r.t.core.db
        .select()
        .from(callTurns)
        .where(eq(callTurns.callSid, c.callSid))
        .all()
        .find((t) => t.turnIndex === i)!;
      const vadMs = row.tVadMs ?? 0;
      // Fixed delays still on the critical path after the end of the turn.
      const asrMs = live ? STREAM_ASR_MS : ASR_MS;
      const asrWait = mode === 'streaming' ? Math.max(0, asrMs - (vadMs - PAUSE_AT_MS)) : ASR_MS;
      const llm = mode === 'streaming' ? llmMsFor(FIRST_PIECE.length + 1) : llmMsFor(ANSWER.length);
      // Same reference as t_vad_ms: the VAD's own speech end (the client's last frame can trail it).
      const serverFirstAudio = row.tFirstAudioMs ?? NaN;
      const overhead = serverFirstAudio - vadMs - asrWait - llm - TTS_MS;
      samples.push({ measured, vadMs, overhead, serverFirstAudio, asrMs: row.tAsrMs ?? NaN });
    }
    await c.stop();
    const m = samples.map((s) => s.measured);
    const o = samples.map((s) => s.overhead);
    const uploads = r.openai.requestsTo('/audio/transcriptions').length;
    return {
      asr_mode: asr,
      turns: samples.length,
      first_audio_p50_ms: round(pct(m, 50)),
      first_audio_p95_ms: round(pct(m, 95)),
      vad_silence_mean_ms: round(samples.reduce((a, s) => a + s.vadMs, 0) / samples.length),
      overhead_p50_ms: round(pct(o, 50)),
      overhead_p95_ms: round(pct(o, 95)),
      t_asr_p50_ms: round(
        pct(
          samples.map((s) => s.asrMs),
          50,
        ),
      ),
      t_asr_p95_ms: round(
        pct(
          samples.map((s) => s.asrMs),
          95,
        ),
      ),
      transcription_uploads: uploads,
      live_transcription_commits:
        r.realtime?.transcriptionConnections.reduce((n, c) => n + c.commits, 0) ?? 0,
      server_t_first_audio_p50_ms: round(
        pct(
          samples.map((s) => s.serverFirstAudio),
          50,
        ),
      ),
      critical_path_fake_delays_ms:
        mode === 'streaming'
          ? {
              asr_after_pause: live ? STREAM_ASR_MS : ASR_MS,
              llm_first_piece: llmMsFor(FIRST_PIECE.length + 1),
              tts: TTS_MS,
            }
          : { asr: ASR_MS, llm_whole: llmMsFor(ANSWER.length), tts: TTS_MS },
    };
  } finally {
    await r.stop();
  }
}

export default async function voiceLatency(): Promise<Record<string, unknown>> {
  const streaming = await runMode('streaming');
  const streamingAsr = await runMode('streaming', 'streaming');
  const sequential = await runMode('sequential');
  return {
    fake_delays: {
      asr_ms: ASR_MS,
      live_asr_after_commit_ms: STREAM_ASR_MS,
      llm_first_token_ms: LLM_FIRST_MS,
      llm_tokens_per_s: 1000 / TOKEN_MS,
      tts_ms_per_request: TTS_MS,
    },
    answer_chars: ANSWER.length,
    streaming,
    streaming_live_asr: streamingAsr,
    sequential,
    live_asr_vs_speculative_first_audio_p50_ms: round(
      streamingAsr.first_audio_p50_ms - streaming.first_audio_p50_ms,
    ),
    live_asr_vs_speculative_first_audio_p95_ms: round(
      streamingAsr.first_audio_p95_ms - streaming.first_audio_p95_ms,
    ),
    speedup_p50: round(sequential.first_audio_p50_ms / streaming.first_audio_p50_ms),
    target_overhead_p95_ms: 30,
    overhead_within_target: streaming.overhead_p95_ms < 30,
  };
}
