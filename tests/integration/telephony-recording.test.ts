import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORDING_JOB } from '../../src-main/telephony/recording-job';
import { startTelephonyRig, type TelephonyRig } from '../helpers/telephony';
import { callParams, callSid, postTwilio, recordingSid } from '../helpers/twilio';

const FIXTURE = readFileSync(path.join(import.meta.dirname, '../fixtures/voice-message-he.wav'));
const MESSAGE = 'שלום, זה דני כהן. אני רוצה לקבוע תור לשבוע הבא, תחזרו אליי בבקשה.';

let rig: TelephonyRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** Silence as Twilio would record it: 2 s of PCM16 8 kHz with faint hiss. */
function silentWav(): Buffer {
  const n = 16000;
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(Math.sin(i * 12.9898) * 40), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

const recordingParams = (r: TelephonyRig, n: number) =>
  callParams(n, {
    CallStatus: 'in-progress',
    RecordingUrl: r.twilio.recordingUrl(recordingSid(n)),
    RecordingSid: recordingSid(n),
    RecordingDuration: '2',
  });

const tasksOf = (r: TelephonyRig, callId: number) =>
  r.t.core.db.$client.prepare('select * from tasks where call_id = ?').all(callId) as Array<
    Record<string, unknown>
  >;

describe('a simulated call that falls back to a voice message', () => {
  it('incoming_call → stream_ended → handle_recording → call_status leaves one complete call with transcript and a call-back task', async () => {
    rig = await startTelephonyRig();
    const events: Array<{ name: string; payload: any }> = [];
    rig.t.core.bus.subscribe((m) => events.push(m as { name: string; payload: any }));
    rig.twilio.addRecording(recordingSid(1), FIXTURE);
    rig.openai.scriptTranscription(MESSAGE);
    const url = rig.t.publicUrl;

    expect((await postTwilio(url, '/webhook/incoming_call', callParams(1))).text).toContain('<Stream');
    expect(
      (await postTwilio(url, '/webhook/stream_ended', callParams(1, { CallStatus: 'in-progress' }))).text,
    ).toContain('<Record');
    const rec = await postTwilio(url, '/webhook/handle_recording', recordingParams(rig, 1));
    expect(rec.status).toBe(200);
    expect(rec.text).toMatch(/<Say language="he-IL"[^>]*>[\u0590-\u05FF][^<]*<\/Say><Hangup\/><\/Response>$/);
    expect(
      (
        await postTwilio(
          url,
          '/webhook/call_status',
          callParams(1, { CallStatus: 'completed', CallDuration: '38' }),
        )
      ).status,
    ).toBe(204);
    await rig.t.core.jobs.idle(RECORDING_JOB);

    const calls = rig.t.core.db.$client.prepare('select * from calls').all() as Array<Record<string, any>>;
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call).toMatchObject({
      call_sid: callSid(1),
      direction: 'in',
      from_number: '+972501234567',
      status: 'completed',
      mode: 'record',
      duration_sec: 38,
      recording_sid: recordingSid(1),
      recording_status: 'transcribed',
      transcript: MESSAGE,
      error: null,
    });
    expect(call.ended_at).toEqual(expect.any(Number));
    const stored = path.join(rig.t.core.paths.recordingsDir, call.recording_path);
    expect(readFileSync(stored).equals(FIXTURE)).toBe(true);

    const tasks = tasksOf(rig, call.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      kind: 'callback',
      customer_id: call.customer_id,
      created_by: 'system',
      description: MESSAGE,
    });
    expect(String(tasks[0]!.title)).toContain('050-123-4567');

    // The download used the account's credentials; the transcription was Hebrew with the default model.
    expect(rig.twilio.requests.filter((r) => r.path.endsWith(`${recordingSid(1)}.wav`))).toEqual([
      { method: 'GET', path: expect.any(String), authorized: true, status: 200 },
    ]);
    const asr = rig.openai.requestsTo('/audio/transcriptions');
    expect(asr).toHaveLength(1);
    expect(asr[0]!.body).toMatchObject({ model: 'gpt-4o-transcribe', language: 'he' });
    expect(asr[0]!.files[0]!.data.equals(FIXTURE)).toBe(true);

    // Live events and the owner's notification.
    expect(
      events.some(
        (e) =>
          e.name === 'call.updated' && e.payload.recordingStatus === 'transcribed' && e.payload.hasTranscript,
      ),
    ).toBe(true);
    expect(events.find((e) => e.name === 'system.notification')?.payload).toMatchObject({
      title: 'הודעה קולית חדשה',
      route: `/calls/${call.id}`,
    });

    // The API shows it.
    const list = await rig.t.api('calls.list', { page: 1, limit: 10 });
    expect(list.body.data).toMatchObject({ total: 1, page: 1, limit: 10 });
    expect(list.body.data.items[0]).toMatchObject({
      callSid: callSid(1),
      mode: 'record',
      status: 'completed',
      durationSec: 38,
      hasRecording: true,
      hasTranscript: true,
    });
    const detail = await rig.t.api('calls.get', { id: call.id });
    expect(detail.body.data).toMatchObject({
      transcript: MESSAGE,
      recording: { sid: recordingSid(1), status: 'transcribed', available: true, bytes: FIXTURE.length },
      turns: [],
    });
    const audio = await rig.t.api('calls.recording', { id: call.id });
    expect(audio.body.data.mime).toBe('audio/wav');
    expect(Buffer.from(audio.body.data.dataUrl.split(',')[1], 'base64').equals(FIXTURE)).toBe(true);
  });
});

describe('recording download', () => {
  it('retries: fails twice, then succeeds', async () => {
    rig = await startTelephonyRig();
    rig.twilio.addRecording(recordingSid(2), FIXTURE);
    rig.twilio.failRecording(recordingSid(2), { times: 2, status: 503 });
    rig.openai.scriptTranscription(MESSAGE);
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(2));
    await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 2));
    await rig.t.core.jobs.idle(RECORDING_JOB);
    expect(rig.twilio.recordingHits(recordingSid(2))).toBe(3);
    expect(rig.t.core.calls.getBySid(callSid(2))).toMatchObject({
      recordingStatus: 'transcribed',
      transcript: MESSAGE,
    });
    expect(rig.t.logs().filter((l) => l.msg === 'recording download failed; retrying')).toHaveLength(2);
  });

  it('always failing: the call is marked failed, the owner still gets a call-back task, nothing crashes', async () => {
    rig = await startTelephonyRig();
    rig.twilio.failRecording(recordingSid(3), { times: 'always', status: 500 });
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(3));
    const res = await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 3));
    expect(res.status).toBe(200);
    await rig.t.core.jobs.idle(RECORDING_JOB);
    expect(rig.twilio.recordingHits(recordingSid(3))).toBe(3);
    const call = rig.t.core.calls.getBySid(callSid(3))!;
    expect(call).toMatchObject({ recordingStatus: 'failed', recordingPath: null, transcript: null });
    expect(call.error).toContain('500');
    expect(tasksOf(rig, call.id)).toHaveLength(1);
    expect(rig.openai.requestsTo('/audio/transcriptions')).toHaveLength(0);
    expect(
      rig.t
        .logs()
        .some(
          (l) =>
            l.level === 'error' &&
            l.msg === 'recording download failed for good' &&
            l.call_sid === callSid(3),
        ),
    ).toBe(true);
    expect((await fetch(`${rig.t.publicUrl}/healthz`)).status).toBe(200);
  });

  it('a hanging recording server times out per attempt; handle_recording still answers at once', async () => {
    rig = await startTelephonyRig({ RECORDING_DOWNLOAD_TIMEOUT_MS: '300' });
    rig.twilio.failRecording(recordingSid(4), { times: 'always', hang: true });
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(4));
    const res = await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 4));
    expect(res.status).toBe(200);
    // Answered without waiting for the download: its first attempt (300 ms timeout) is still open.
    expect(rig.t.core.calls.getBySid(callSid(4))!.recordingStatus).toBe('pending');
    expect(res.ms).toBeLessThan(2000);
    await rig.t.core.jobs.idle(RECORDING_JOB);
    expect(rig.t.core.calls.getBySid(callSid(4))).toMatchObject({
      recordingStatus: 'failed',
      error: 'recording download timed out',
    });
  });

  it('never fetches a RecordingUrl outside Twilio / the configured API base', async () => {
    rig = await startTelephonyRig();
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(5));
    const params = { ...recordingParams(rig, 5), RecordingUrl: 'http://169.254.169.254/latest/meta-data' };
    expect((await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', params)).status).toBe(200);
    expect(rig.t.core.calls.getBySid(callSid(5))).toMatchObject({
      recordingStatus: 'failed',
      error: 'recording_url_rejected',
    });
    expect(rig.counts().jobs).toBe(0);
  });
});

describe('what is not a message', () => {
  it('gibberish from ASR: no transcript, no task', async () => {
    rig = await startTelephonyRig();
    rig.twilio.addRecording(recordingSid(6), FIXTURE);
    rig.openai.scriptTranscription('אה... אממ');
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(6));
    await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 6));
    await rig.t.core.jobs.idle(RECORDING_JOB);
    const call = rig.t.core.calls.getBySid(callSid(6))!;
    expect(call).toMatchObject({ recordingStatus: 'no_speech', transcript: null, error: 'gibberish:filler' });
    expect(tasksOf(rig, call.id)).toHaveLength(0);
    expect(existsSync(path.join(rig.t.core.paths.recordingsDir, call.recordingPath!))).toBe(true);
  });

  it('a silent recording never reaches the transcription service', async () => {
    rig = await startTelephonyRig();
    rig.twilio.addRecording(recordingSid(7), silentWav());
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(7));
    await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 7));
    await rig.t.core.jobs.idle(RECORDING_JOB);
    const call = rig.t.core.calls.getBySid(callSid(7))!;
    expect(call.recordingStatus).toBe('no_speech');
    expect(tasksOf(rig, call.id)).toHaveLength(0);
    expect(rig.openai.requestsTo('/audio/transcriptions')).toHaveLength(0);
  });

  it('without an OpenAI key the message is kept for listening and a call-back task is opened', async () => {
    rig = await startTelephonyRig({ OPENAI_API_KEY: '' });
    rig.twilio.addRecording(recordingSid(8), FIXTURE);
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(8));
    await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 8));
    await rig.t.core.jobs.idle(RECORDING_JOB);
    const call = rig.t.core.calls.getBySid(callSid(8))!;
    expect(call).toMatchObject({ recordingStatus: 'downloaded', error: 'transcription_unavailable' });
    expect(tasksOf(rig, call.id)).toHaveLength(1);
    expect(rig.openai.requests).toHaveLength(0);
  });
});

describe('durability', () => {
  it('a job interrupted by a stop, or left running by a crash, resumes after restart and finishes once', async () => {
    rig = await startTelephonyRig({ RECORDING_DOWNLOAD_TIMEOUT_MS: '5000' });
    rig.twilio.addRecording(recordingSid(9), FIXTURE);
    rig.twilio.failRecording(recordingSid(9), { times: 1, hang: true });
    rig.openai.scriptTranscription(MESSAGE);
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(9));
    await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 9));
    // Wait until the download is in flight, then stop the app under it.
    for (let i = 0; i < 100 && rig.twilio.recordingHits(recordingSid(9)) === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(rig.t.core.jobs.counts(RECORDING_JOB).running).toBe(1);
    const dir = rig.t.dataDir;
    await rig.t.stop({ keepData: true });

    // Simulate a crash: the row is left `running`, as a killed process would leave it.
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(path.join(dir, 'agentlocator.db'));
    expect(raw.prepare('select status from jobs').get()).toMatchObject({ status: 'pending' });
    raw.prepare("update jobs set status = 'running', attempts = 1").run();
    raw.close();

    const t = await rig.restart();
    await t.core.jobs.idle(RECORDING_JOB);
    expect(t.logs().some((l) => l.msg === 'resuming jobs left running by a previous run')).toBe(true);
    const call = t.core.calls.getBySid(callSid(9))!;
    expect(call).toMatchObject({ recordingStatus: 'transcribed', transcript: MESSAGE });
    expect(tasksOf(rig, call.id)).toHaveLength(1);
    expect(t.core.jobs.counts(RECORDING_JOB)).toMatchObject({ done: 1, pending: 0, running: 0, failed: 0 });
  });

  it('a webhook retried by Twilio queues the recording once', async () => {
    rig = await startTelephonyRig();
    rig.twilio.addRecording(recordingSid(10), FIXTURE);
    rig.openai.scriptTranscription(MESSAGE);
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(10));
    await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 10));
    await postTwilio(rig.t.publicUrl, '/webhook/handle_recording', recordingParams(rig, 10));
    await rig.t.core.jobs.idle(RECORDING_JOB);
    expect(rig.counts()).toMatchObject({ jobs: 1, tasks: 1 });
  });
});
