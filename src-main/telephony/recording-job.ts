/**
 * The voice-message pipeline, run as a durable job after /webhook/handle_recording:
 * download the recording → keep the file → skip silence → transcribe in Hebrew → drop
 * gibberish → transcript on the call, a call-back task, a desktop notification.
 * Each step records its result on the call row, so a job resumed after a crash continues
 * where it stopped and never creates a second task.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CallbackTasks } from '../core/ports';
import { formatPhone } from '../platform/phone';
import type { JobContext, JobRunner } from '../platform/jobs';
import { PermanentJobError } from '../platform/jobs';
import type { Logger } from '../platform/logger';
import type { Notifier } from '../platform/notifier';
import type { CallRepository, CallRow } from './call-repository';
import { DownloadError, downloadRecording } from './recording-download';
import type { RecordingTranscriber } from './recording-transcriber';
import { measureSpeech } from './speech-presence';
import { judgeTranscript } from './transcript-filter';
import type { TwilioCredentials } from '../platform/twilio-rest';

export const RECORDING_JOB = 'telephony.recording';

export const recordingJobPayload = z.object({
  callSid: z.string().min(2).max(64),
  recordingUrl: z.string().url().max(2000),
  recordingSid: z.string().max(64).nullable(),
});
export type RecordingJobPayload = z.infer<typeof recordingJobPayload>;

/** Less voiced audio than this is treated as an empty message (no transcription call). */
const MIN_VOICED_MS = 300;

export interface RecordingPipelineDeps {
  calls: CallRepository;
  callbacks: CallbackTasks;
  notifier: Notifier;
  logger: Logger;
  recordingsDir: string;
  credentials: () => TwilioCredentials;
  /** null when no OpenAI key is configured: the message is kept for listening, untranscribed. */
  transcriber: () => RecordingTranscriber | null;
  download: { timeoutMs: number; retries: number; backoffMs: number };
  now: () => number;
}

export function registerRecordingJob(jobs: JobRunner, deps: RecordingPipelineDeps): void {
  jobs.register(RECORDING_JOB, (payload, ctx) => processRecording(deps, payload, ctx), {
    maxAttempts: 3,
    backoffMs: (attempt) => Math.min(5000 * 2 ** (attempt - 1), 60_000),
    onFailed: (payload, err) => {
      const p = recordingJobPayload.safeParse(payload);
      if (!p.success) return;
      const call = deps.calls.getBySid(p.data.callSid);
      if (!call) return;
      // The audio may still be there to listen to; only a missing file is a failed recording.
      const status = call.recordingPath ? call.recordingStatus : 'failed';
      deps.calls.update(call.callSid, {
        recordingStatus: status,
        error: `recording_job_failed: ${err.message}`.slice(0, 500),
      });
      openCallback(
        deps,
        deps.calls.getBySid(call.callSid) ?? call,
        null,
        'ההודעה הקולית לא עובדה בהצלחה — כדאי להתקשר בחזרה.',
      );
    },
  });
}

export async function processRecording(
  deps: RecordingPipelineDeps,
  rawPayload: unknown,
  ctx: JobContext,
): Promise<void> {
  const parsed = recordingJobPayload.safeParse(rawPayload);
  if (!parsed.success) throw new PermanentJobError('bad recording job payload');
  const p = parsed.data;
  const log = ctx.logger.child({ module: 'telephony', call_sid: p.callSid, recording_sid: p.recordingSid });
  let call = deps.calls.getBySid(p.callSid);
  if (!call) throw new PermanentJobError('call not found');
  if (
    call.recordingStatus === 'transcribed' ||
    call.recordingStatus === 'no_speech' ||
    call.recordingStatus === 'failed'
  ) {
    log.info({ status: call.recordingStatus }, 'recording already processed');
    return;
  }

  // 1. The audio file, downloaded once.
  let audio: Buffer;
  const stored = call.recordingPath ? path.join(deps.recordingsDir, call.recordingPath) : null;
  if (stored && existsSync(stored)) {
    audio = readFileSync(stored);
  } else {
    const creds = deps.credentials();
    if (!creds.accountSid || !creds.authToken)
      throw new PermanentJobError('Twilio account SID / auth token not configured');
    try {
      const res = await downloadRecording({
        url: p.recordingUrl,
        accountSid: creds.accountSid,
        authToken: creds.authToken,
        ...deps.download,
        signal: ctx.signal,
        onRetry: (r) =>
          log.warn(
            { attempt: r.attempt, error: r.error, retry_in_ms: r.delayMs },
            'recording download failed; retrying',
          ),
      });
      audio = res.audio;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const message = err instanceof DownloadError ? err.message : String(err);
      log.error(
        { err: message, status: err instanceof DownloadError ? err.status : null },
        'recording download failed for good',
      );
      call =
        deps.calls.update(p.callSid, { recordingStatus: 'failed', error: message.slice(0, 500) }) ?? call;
      openCallback(deps, call, null, 'ההקלטה לא התקבלה מ-Twilio — כדאי להתקשר בחזרה.');
      return;
    }
    const fileName = `${safeName(p.callSid)}_${safeName(p.recordingSid ?? 'rec')}.wav`;
    mkdirSync(deps.recordingsDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(deps.recordingsDir, `.${fileName}.${ctx.id}.tmp`);
    // A caller's voice: readable by the owner only.
    writeFileSync(tmp, audio, { mode: 0o600 });
    renameSync(tmp, path.join(deps.recordingsDir, fileName));
    call =
      deps.calls.update(p.callSid, { recordingPath: fileName, recordingStatus: 'downloaded', error: null }) ??
      call;
    log.info({ bytes: audio.length }, 'recording downloaded');
  }

  // 2. Silence never reaches the transcription service.
  const wav = measureSpeech(audio);
  if (wav && wav.voicedMs < MIN_VOICED_MS) {
    log.info(
      { duration_ms: wav.durationMs, voiced_ms: wav.voicedMs, peak_dbfs: wav.peakDbfs },
      'recording has no speech',
    );
    deps.calls.update(p.callSid, { recordingStatus: 'no_speech' });
    return;
  }

  // 3. Hebrew transcription (errors throw: the job runner retries with backoff).
  const transcriber = deps.transcriber();
  if (!transcriber) {
    log.warn('no OpenAI key: voice message kept without a transcript');
    call = deps.calls.update(p.callSid, { error: 'transcription_unavailable' }) ?? call;
    openCallback(deps, call, null, 'התקבלה הודעה קולית (ללא תמלול) — האזינו להקלטה והתקשרו בחזרה.');
    return;
  }
  const started = performance.now();
  const text = await transcriber.transcribe(audio, {
    filename: 'message.wav',
    mime: 'audio/wav',
    signal: ctx.signal,
  });
  const verdict = judgeTranscript(text);
  log.info(
    { asr_ms: Math.round(performance.now() - started), chars: text.length, accepted: verdict.ok },
    'recording transcribed',
  );
  if (!verdict.ok) {
    log.info({ reason: verdict.reason }, 'recording dropped as gibberish');
    deps.calls.update(p.callSid, { recordingStatus: 'no_speech', error: `gibberish:${verdict.reason}` });
    return;
  }
  const fresh = deps.calls.getBySid(p.callSid) ?? call;
  const transcript =
    fresh.transcript && fresh.transcript !== verdict.text
      ? `${fresh.transcript}\n\nהודעה קולית: ${verdict.text}`
      : verdict.text;
  call = deps.calls.update(p.callSid, { transcript, recordingStatus: 'transcribed', error: null }) ?? call;
  openCallback(deps, call, verdict.text, verdict.text);
}

/** The call-back task (once per call) and the owner's notification. */
function openCallback(
  deps: RecordingPipelineDeps,
  call: CallRow,
  message: string | null,
  description: string,
): void {
  const who =
    deps.calls.summary(call).customerName || formatPhone(call.fromNumber) || call.fromNumber || 'מספר חסוי';
  const task = deps.callbacks.createForCall({
    customerId: call.customerId,
    callId: call.id,
    title: `להתקשר בחזרה ל-${who}`,
    description: description.slice(0, 2000),
    dueAt: deps.now(),
    createdBy: 'system',
  });
  if (!task.created) return;
  deps.notifier.notify({
    title: message ? 'הודעה קולית חדשה' : 'שיחה שדורשת חזרה',
    body: `${who}: ${(message ?? description).slice(0, 140)}`,
    route: `/calls/${call.id}`,
  });
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64) || 'x';
}
