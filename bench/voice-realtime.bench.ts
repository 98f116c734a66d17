/**
 * Turn latency of the OpenAI Realtime engine: caller speech end → first outbound audio frame,
 * over real WebSockets (Twilio media client → core → the SDK's Realtime socket → fake) with
 * real-time audio. The fake answers with a fixed model delay (first audio delta 300 ms after
 * the server VAD's speech stop, then 100 ms deltas). Overhead = server t_first_audio_ms −
 * t_vad_ms (speech end → speech_stopped arrival) − the fake's model delay.
 */
import { eq } from 'drizzle-orm';
import { callTurns } from '../src-main/db/schema';
import { speechFixture, type MediaStreamClient } from '../tests/fakes/media-stream-client';
import { startFakeRealtime } from '../tests/fakes/openai-realtime';
import { startVoiceRig, type VoiceRig } from '../tests/helpers/voice';

const MODEL_MS = 300;
const TURNS = 10;

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
}
const round = (n: number) => Math.round(n * 10) / 10;

async function waitListening(r: VoiceRig, c: MediaStreamClient): Promise<void> {
  await c.waitFor(() => r.voice.registry.get(c.callSid)?.state === 'listening', 15_000);
}

export default async function voiceRealtime(): Promise<Record<string, unknown>> {
  const fake = await startFakeRealtime();
  const r = await startVoiceRig({ env: { OPENAI_BASE_URL: fake.url, LOG_LEVEL: 'info' } });
  fake.upstream = r.openai.origin;
  try {
    await r.t.api('voice.updateSettings', { engine: 'realtime' });
    fake.setDefault({ text: 'תספורת עולה שמונים שקלים.', audio: speechFixture('price'), delayMs: MODEL_MS });
    fake.caller.text = 'כמה עולה תספורת?';
    const c = await r.connect({ speed: 1 });
    c.start();
    await waitListening(r, c);
    const samples: Array<{ measured: number; vadMs: number; firstAudio: number; overhead: number }> = [];
    for (let i = 0; i < TURNS; i++) {
      await c.quiet(300);
      await c.say(i % 2 ? 'name' : 'price');
      const speechEnd = performance.now();
      await c.waitFor(() => c.firstMediaAfter(speechEnd) !== undefined, 15_000);
      const measured = c.firstMediaAfter(speechEnd)! - speechEnd;
      const rows = () => r.t.core.db.select().from(callTurns).where(eq(callTurns.callSid, c.callSid)).all();
      await c.waitFor(() => rows().length > i, 15_000);
      await waitListening(r, c);
      const row = rows().find((t) => t.turnIndex === i)!;
      const vadMs = row.tVadMs ?? NaN;
      const firstAudio = row.tFirstAudioMs ?? NaN;
      samples.push({ measured, vadMs, firstAudio, overhead: firstAudio - vadMs - MODEL_MS });
    }
    await c.stop();
    const m = samples.map((s) => s.measured);
    const o = samples.map((s) => s.overhead);
    return {
      fake_model_first_audio_ms: MODEL_MS,
      vad_silence_ms: 700,
      turns: samples.length,
      first_audio_p50_ms: round(pct(m, 50)),
      first_audio_p95_ms: round(pct(m, 95)),
      server_t_first_audio_p50_ms: round(
        pct(
          samples.map((s) => s.firstAudio),
          50,
        ),
      ),
      server_t_vad_mean_ms: round(samples.reduce((a, s) => a + s.vadMs, 0) / samples.length),
      overhead_p50_ms: round(pct(o, 50)),
      overhead_p95_ms: round(pct(o, 95)),
      target_overhead_p95_ms: 30,
      overhead_within_target: pct(o, 95) < 30,
    };
  } finally {
    await r.stop();
    await fake.close();
  }
}
