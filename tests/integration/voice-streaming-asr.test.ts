/**
 * Live transcription (asrMode 'streaming') end to end: a real core, a Twilio Media Streams
 * client with Hebrew speech fixtures over a real WebSocket, and the official SDK's
 * `OpenAIRealtimeWS` holding a transcription session (intent=transcription) with the Realtime
 * fake over a real WebSocket. Chat, TTS and Twilio REST are the usual fakes. Degrades: a refused
 * session and a session dropped mid-call both leave the call on the speculative upload.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaStreamClient } from '../fakes/media-stream-client';
import { isSummaryRequest, startVoiceRig, type VoiceRig, turnRows } from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function streamingRig(transcriptDelayMs = 60): Promise<VoiceRig> {
  rig = await startVoiceRig({ realtime: { transcriptDelayMs } });
  rig.t.core.business.updateProfile({ name: 'מספרת דני', ownerPhone: '050-1234567' });
  rig.openai.setDefaultChat((req) =>
    isSummaryRequest(req)
      ? JSON.stringify({
          summary: 'הלקוח שאל על מחיר.',
          name: 'דני',
          reason: 'מחיר',
          callback_requested: false,
        })
      : 'סליחה, לא הבנתי.',
  );
  const res = await rig.t.api('voice.updateSettings', { asrMode: 'streaming' });
  expect(res.status).toBe(200);
  expect(res.body.data.asrMode).toBe('streaming');
  return rig;
}

const waitTurns = (r: VoiceRig, c: MediaStreamClient, n: number) =>
  c.waitFor(() => turnRows(r, c.callSid).length >= n, 10_000);
const waitListening = (r: VoiceRig, c: MediaStreamClient) =>
  c.waitFor(() => r.voice.registry.get(c.callSid)?.state === 'listening', 8000);

async function waitLog(pred: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > until) throw new Error('log line never came');
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Two questions, each answered; returns the client (still connected). */
async function twoTurns(r: VoiceRig, between?: () => Promise<void>): Promise<MediaStreamClient> {
  const c = await r.connect({ speed: 2 });
  c.start();
  await waitListening(r, c);
  r.caller.text = 'כמה עולה תספורת?';
  r.openai.scriptChat({ content: 'תספורת עולה שמונים שקלים.', chunkChars: 6, chunkDelayMs: 5 });
  await c.say('price');
  await c.quiet(400);
  await waitTurns(r, c, 1);
  await waitListening(r, c);
  await between?.();
  r.caller.text = 'קוראים לי דני.';
  r.openai.scriptChat({ content: 'נעים מאוד דני, איך אפשר לעזור?', chunkChars: 6, chunkDelayMs: 5 });
  await c.say('name');
  await c.quiet(400);
  await waitTurns(r, c, 2);
  return c;
}

describe('voice agent: streaming transcription (asrMode streaming)', () => {
  it('transcribes two turns on one live session per call, no upload, committed before the turn ends', async () => {
    const r = await streamingRig();
    // At each end of turn (the session enters 'thinking') and once it listens again, how many
    // commits the fake had received.
    const commitsAtTurnEnd: number[] = [];
    const commitsAfterAnswer: number[] = [];
    const unsubscribe = r.t.core.bus.subscribe((m) => {
      if (m.name !== 'monitor.call') return;
      const state = (m.payload as { state: string }).state;
      const commits = r.realtime!.transcriptionConnections[0]?.commits ?? 0;
      if (state === 'thinking') commitsAtTurnEnd.push(commits);
      if (state === 'listening' && commitsAtTurnEnd.length > commitsAfterAnswer.length)
        commitsAfterAnswer.push(commits);
    });
    const c = await twoTurns(r);
    unsubscribe();
    const turns = turnRows(r, c.callSid);
    expect(turns.map((t) => t.callerText)).toEqual(['כמה עולה תספורת?', 'קוראים לי דני.']);
    expect(turns.map((t) => t.agentText)).toEqual([
      'תספורת עולה שמונים שקלים.',
      'נעים מאוד דני, איך אפשר לעזור?',
    ]);
    for (const t of turns) {
      expect(t.tAsrMs).not.toBeNull();
      expect(t.tFirstAudioMs).toBeGreaterThan(0);
    }
    // Committed at the pause, not at the end of the turn: turn n's commit had reached the
    // transcription server before the turn ended (one sent at the end of the turn arrives after,
    // and would be counted only once the agent listens again). A gap between words that reaches
    // the speculation point commits too (the caller resumes: it is replayed), so counts, not [1, 2].
    expect(commitsAtTurnEnd).toHaveLength(2);
    expect(commitsAtTurnEnd[0]).toBeGreaterThanOrEqual(1);
    expect(commitsAtTurnEnd[1]).toBeGreaterThan(commitsAtTurnEnd[0]!);
    expect(commitsAfterAnswer).toEqual(commitsAtTurnEnd);
    // No upload-and-decode: the batch endpoint was never called.
    expect(r.openai.requestsTo('/audio/transcriptions')).toHaveLength(0);

    // One transcription session, opened at the call's start and configured as documented.
    const sessions = r.realtime!.transcriptionConnections;
    expect(sessions).toHaveLength(1);
    const conn = sessions[0]!;
    expect(conn.url).toBe('/v1/realtime?intent=transcription');
    const input = (conn.session?.audio as { input: Record<string, unknown> }).input;
    expect(conn.session?.type).toBe('transcription');
    expect(input.format).toEqual({ type: 'audio/pcmu' });
    expect(input.turn_detection).toBeNull();
    const tr = input.transcription as { model: string; language: string; prompt: string };
    expect(tr).toMatchObject({ model: 'gpt-4o-transcribe', language: 'he' });
    expect(tr.prompt).toContain('מספרת דני');
    expect(conn.commits).toBeGreaterThanOrEqual(2);
    // Only speech (with pre-roll / pause) was streamed, not the minutes of line noise around it.
    const inboundBytes = c.framesSent * 160;
    expect(conn.appendedBytes).toBeGreaterThan(0);
    expect(conn.appendedBytes).toBeLessThan(inboundBytes * 0.8);

    const said = r.t.logs().filter((l) => l.msg === 'caller said');
    expect(said.map((l) => l.asr)).toEqual(['streaming', 'streaming']);
    await c.stop();
    await c.waitFor(() => r.voice.registry.sessions.size === 0, 3000);
    expect(
      r.t.logs().some((l) => l.msg === 'streaming transcription ready' && l.call_sid === c.callSid),
    ).toBe(true);
  }, 30_000);

  it('a refused transcription session: the call falls back to the speculative upload and answers', async () => {
    const r = await streamingRig();
    r.realtime!.transcription.fail = 503;
    const c = await twoTurns(r);
    expect(turnRows(r, c.callSid).map((t) => t.callerText)).toEqual(['כמה עולה תספורת?', 'קוראים לי דני.']);
    expect(turnRows(r, c.callSid).every((t) => t.agentText.length > 0)).toBe(true);
    expect(r.openai.requestsTo('/audio/transcriptions').length).toBeGreaterThanOrEqual(2);
    const warn = r.t
      .logs()
      .find((l) => l.msg === 'streaming transcription unavailable: speculative upload for this call');
    expect(warn).toMatchObject({ call_sid: c.callSid });
    await c.stop();
  }, 30_000);

  it('a session dropped mid-call: later turns fall back to the upload, nothing lost', async () => {
    const r = await streamingRig();
    const c = await twoTurns(r, async () => {
      expect(r.openai.requestsTo('/audio/transcriptions')).toHaveLength(0);
      r.realtime!.transcriptionConnections[0]!.close(1011);
      await waitLog(
        () =>
          r.t
            .logs()
            .some(
              (l) => l.msg === 'streaming transcription dropped: speculative upload for the rest of the call',
            ),
        3000,
      );
    });
    const turns = turnRows(r, c.callSid);
    expect(turns.map((t) => t.callerText)).toEqual(['כמה עולה תספורת?', 'קוראים לי דני.']);
    expect(turns[1]!.agentText).toBe('נעים מאוד דני, איך אפשר לעזור?');
    expect(r.openai.requestsTo('/audio/transcriptions').length).toBeGreaterThanOrEqual(1);
    const drop = r.t
      .logs()
      .find((l) => l.msg === 'streaming transcription dropped: speculative upload for the rest of the call');
    expect(drop).toMatchObject({ call_sid: c.callSid });
    expect(
      r.t
        .logs()
        .filter((l) => l.msg === 'caller said')
        .map((l) => l.asr),
    ).toEqual(['streaming', 'speculative']);
    await c.stop();
  }, 30_000);

  it('a session that drops on a commit: that very turn is uploaded instead, nothing lost', async () => {
    const r = await streamingRig();
    r.realtime!.transcription.closeOnCommit = true;
    const c = await r.connect({ speed: 2 });
    c.start();
    await waitListening(r, c);
    // 'name': no gap between its words reaches the speculation point, so the first commit is the pause's.
    r.caller.text = 'קוראים לי דני.';
    r.openai.scriptChat({ content: 'נעים מאוד דני, איך אפשר לעזור?', chunkChars: 6, chunkDelayMs: 5 });
    await c.say('name');
    await c.quiet(400);
    await waitTurns(r, c, 1);
    const turn = turnRows(r, c.callSid)[0]!;
    expect(turn.callerText).toBe('קוראים לי דני.');
    expect(turn.agentText).toBe('נעים מאוד דני, איך אפשר לעזור?');
    expect(r.t.logs().some((l) => l.msg === 'streaming transcript failed: uploading the utterance')).toBe(
      true,
    );
    expect(r.openai.requestsTo('/audio/transcriptions')).toHaveLength(1);
    await c.stop();
  }, 30_000);
});
