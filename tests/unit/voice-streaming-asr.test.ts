/**
 * The live transcription adapter: its event handling (commits answered in order by item id,
 * deltas, failures, an empty commit, timeouts, a dropped socket), the session.update it sends,
 * the URL rewrite, and a real connection through the official SDK to the Realtime fake.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import { openAIClient } from '../../src-main/platform/openai';
import {
  OpenAIStreamingTranscriber,
  TranscriptionSessionCore,
  transcriptionPath,
  transcriptionSessionUpdate,
} from '../../src-main/agent/realtime/transcription';
import {
  voiceSettingsDefaults,
  voiceSettingsSchema,
  voiceSettingsStored,
} from '../../src-main/telephony/media/voice-settings';
import { startFakeRealtime, type FakeRealtime } from '../fakes/openai-realtime';

function core() {
  const sent: RealtimeClientEvent[] = [];
  const deltas: string[] = [];
  const closed: string[] = [];
  const c = new TranscriptionSessionCore((ev) => sent.push(ev), {
    onDelta: (t) => deltas.push(t),
    onClosed: (r) => closed.push(r),
  });
  return { c, sent, deltas, closed };
}

describe('TranscriptionSessionCore', () => {
  it('appends base64 μ-law, commits, resolves each commit from its own completed event, in order', async () => {
    const { c, sent, deltas } = core();
    c.append(Buffer.from([1, 2, 3]));
    c.append(Buffer.alloc(0));
    const first = c.commit();
    const second = c.commit();
    expect(sent.map((e) => e.type)).toEqual([
      'input_audio_buffer.append',
      'input_audio_buffer.commit',
      'input_audio_buffer.commit',
    ]);
    expect((sent[0] as { audio: string }).audio).toBe(Buffer.from([1, 2, 3]).toString('base64'));
    c.handle({ type: 'input_audio_buffer.committed', item_id: 'item_a' });
    c.handle({ type: 'input_audio_buffer.committed', item_id: 'item_b' });
    c.handle({ type: 'conversation.item.input_audio_transcription.delta', item_id: 'item_a', delta: 'כמה' });
    c.handle({
      type: 'conversation.item.input_audio_transcription.delta',
      item_id: 'item_a',
      delta: ' עולה',
    });
    // The second item completes first: each commit still gets its own text.
    c.handle({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: 'item_b',
      transcript: ' שני ',
    });
    c.handle({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: 'item_a',
      transcript: 'כמה עולה?',
    });
    await expect(first).resolves.toBe('כמה עולה?');
    await expect(second).resolves.toBe('שני');
    expect(deltas).toEqual(['כמה', 'כמה עולה']);
  });

  it('an empty commit resolves with no text; a failed transcription rejects; unknown events are ignored', async () => {
    const { c } = core();
    const empty = c.commit();
    c.handle({
      type: 'error',
      error: { code: 'input_audio_buffer_commit_empty', message: 'buffer too small' },
    });
    await expect(empty).resolves.toBe('');
    const failed = c.commit();
    c.handle({ type: 'input_audio_buffer.committed', item_id: 'x' });
    c.handle({ type: 'session.updated' });
    c.handle(null);
    c.handle({
      type: 'conversation.item.input_audio_transcription.failed',
      item_id: 'x',
      error: { message: 'bad audio' },
    });
    await expect(failed).rejects.toThrow(/bad audio/);
  });

  it('a commit not answered in time rejects', async () => {
    vi.useFakeTimers();
    try {
      const { c } = core();
      const p = c.commit({ timeoutMs: 500 });
      const check = expect(p).rejects.toThrow(/timed out/);
      vi.advanceTimersByTime(501);
      await check;
    } finally {
      vi.useRealTimers();
    }
  });

  it('a dropped socket rejects pending commits, reports once, and the session is dead', async () => {
    const { c, sent, closed } = core();
    const p = c.commit();
    c.socketClosed('dropped (1011)');
    c.socketClosed('again');
    await expect(p).rejects.toThrow(/dropped/);
    expect(closed).toEqual(['dropped (1011)']);
    expect(c.alive).toBe(false);
    const n = sent.length;
    c.append(Buffer.from([1]));
    c.clear();
    expect(sent.length).toBe(n);
    await expect(c.commit()).rejects.toThrow(/closed/);
  });

  it('close() by us is not reported as a drop', () => {
    const { c, closed } = core();
    c.close();
    c.socketClosed('dropped (1000)');
    expect(closed).toEqual([]);
  });
});

describe('transcription session wire format', () => {
  it('configures a transcription session: pcmu in, he, the domain prompt, no server turn detection', () => {
    expect(
      transcriptionSessionUpdate({ model: 'gpt-4o-transcribe', language: 'he', prompt: 'מספרת דני' }),
    ).toEqual({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            transcription: { model: 'gpt-4o-transcribe', language: 'he', prompt: 'מספרת דני' },
            turn_detection: null,
          },
        },
      },
    });
  });

  it('rewrites the SDK URL to intent=transcription without a model', () => {
    expect(transcriptionPath('/v1/realtime?model=gpt-4o-transcribe')).toBe(
      '/v1/realtime?intent=transcription',
    );
    expect(transcriptionPath('/v1/realtime?a=1&model=x')).toBe('/v1/realtime?a=1&intent=transcription');
    expect(transcriptionPath('/v1/realtime')).toBe('/v1/realtime?intent=transcription');
  });
});

describe('asrMode setting', () => {
  it('defaults to speculative; the old speculativeAsr:false reads as batch', () => {
    expect(voiceSettingsDefaults().asrMode).toBe('speculative');
    expect(voiceSettingsStored.parse(undefined).asrMode).toBe('speculative');
    expect(voiceSettingsSchema.parse({ speculativeAsr: false }).asrMode).toBe('batch');
    expect(voiceSettingsSchema.parse({ speculativeAsr: true }).asrMode).toBe('speculative');
    expect(voiceSettingsSchema.parse({ speculativeAsr: false, asrMode: 'streaming' }).asrMode).toBe(
      'streaming',
    );
    expect('speculativeAsr' in voiceSettingsSchema.parse({ speculativeAsr: false })).toBe(false);
    expect(voiceSettingsSchema.safeParse({ asrMode: 'live' }).success).toBe(false);
  });
});

describe('OpenAIStreamingTranscriber over the SDK', () => {
  let fake: FakeRealtime | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const transcriber = (url: string, apiKey = 'sk-test') =>
    new OpenAIStreamingTranscriber(openAIClient({ apiKey, baseURL: url, timeoutMs: 15_000 }));
  const cfg = { model: 'gpt-4o-transcribe', language: 'he', prompt: 'עסק' };

  it('opens a session, streams, commits and gets the text; closing is not a drop', async () => {
    fake = await startFakeRealtime({ apiKey: 'sk-test' });
    fake.transcription.text = (bytes) => `שלום ${bytes}`;
    fake.transcription.delayMs = 5;
    const onClosed = vi.fn();
    const deltas: string[] = [];
    const s = await transcriber(fake.url).open(
      cfg,
      { onClosed, onDelta: (t) => deltas.push(t) },
      { timeoutMs: 2000 },
    );
    s.append(Buffer.alloc(1600, 0x7f));
    await expect(s.commit({ timeoutMs: 2000 })).resolves.toBe('שלום 1600');
    expect(deltas.at(-1)).toBe('שלום 1600');
    const conn = fake.transcriptionConnections[0]!;
    expect(conn.url).toBe('/v1/realtime?intent=transcription');
    expect(conn.session).toMatchObject({ type: 'transcription' });
    s.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(onClosed).not.toHaveBeenCalled();
    expect(s.alive).toBe(false);
  });

  it('rejects when the upgrade is refused, the key is wrong, or the socket closes before ready', async () => {
    fake = await startFakeRealtime({ apiKey: 'sk-test' });
    await expect(transcriber(fake.url, 'sk-wrong').open(cfg, {}, { timeoutMs: 2000 })).rejects.toThrow(/401/);
    fake.transcription.fail = 503;
    await expect(transcriber(fake.url).open(cfg, {}, { timeoutMs: 2000 })).rejects.toThrow(/503/);
    fake.transcription.fail = 'close';
    await expect(transcriber(fake.url).open(cfg, {}, { timeoutMs: 2000 })).rejects.toThrow(/before ready/);
  });

  it('reports a drop by the server and fails the pending commit', async () => {
    fake = await startFakeRealtime();
    fake.transcription.delayMs = 5_000;
    const onClosed = vi.fn();
    const s = await transcriber(fake.url).open(cfg, { onClosed }, { timeoutMs: 2000 });
    s.append(Buffer.alloc(1600, 0x7f));
    const p = s.commit();
    // The server has the commit (its transcript is 5 s away) when it drops: the commit is pending.
    await vi.waitFor(() => expect(fake!.transcriptionConnections[0]!.commits).toBe(1), { timeout: 5000 });
    fake.transcriptionConnections[0]!.close(1011);
    await expect(p).rejects.toThrow(/dropped/);
    expect(onClosed).toHaveBeenCalledTimes(1);
    expect(s.alive).toBe(false);
  });
});
