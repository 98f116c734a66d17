/**
 * Graceful shutdown of the real headless process: SIGTERM in the middle of a phone call. The
 * caller hears the closing line and is hung up through Twilio's REST API, a background job that
 * was running is not lost (it completes after the restart), and the database is checkpointed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SHUTDOWN_TEXT } from '../../src-main/agent/prompt';
import { startFakeGoogleTts, type FakeGoogleTts } from '../fakes/google-tts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { eventually } from '../helpers/wait';
import { callParams, openTwilioStream, postTwilio, recordingSid } from '../helpers/twilio';

const ROOT = path.join(import.meta.dirname, '../..');
const PUBLIC_HOST = 'shutdown.agentlocator.test';
const TOKEN = 'graceful-shutdown-local-token-0123456789';
const FIXTURE = readFileSync(path.join(import.meta.dirname, '../fixtures/voice-message-he.wav'));

let proc: ChildProcess | undefined;
let dir: string | undefined;
const fakes: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  proc?.kill('SIGKILL');
  proc = undefined;
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Headless {
  proc: ChildProcess;
  publicUrl: string;
  api(method: string, input?: unknown): Promise<{ ok: boolean; data?: unknown }>;
  exited: Promise<number | null>;
}

/** The headless app from source, as `npm run serve` starts it; resolves once it listens. */
async function startHeadless(env: Record<string, string>): Promise<Headless> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/headless.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc = child;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let err = '';
  const publicUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`headless did not start:\n${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /Public server \(webhooks, health\): (http:\/\/[^/\s]+)\/healthz/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace('localhost', '127.0.0.1'));
      }
    });
    child.on('exit', (code) => reject(new Error(`headless exited (${code}):\n${err}`)));
  });
  const local = /Open the app:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(err)![1]!;
  return {
    proc: child,
    publicUrl,
    exited,
    async api(method, input) {
      const res = await fetch(`${local}/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
      return (await res.json()) as { ok: boolean; data?: unknown };
    },
  };
}

describe('graceful shutdown (SIGTERM to the headless process mid-call)', () => {
  it('says the closing line, hangs up through Twilio, keeps the running job, checkpoints the database', async () => {
    const [openai, google, twilio]: [FakeOpenAI, FakeGoogleTts, FakeTwilio] = await Promise.all([
      startFakeOpenAI(),
      startFakeGoogleTts(),
      startFakeTwilio(),
    ]);
    fakes.push(openai, google, twilio);
    openai.setDefaultTranscription(() => ({ text: 'שלום' }));
    dir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-shutdown-'));
    const env = {
      AGENTLOCATOR_DATA_DIR: dir,
      AGENTLOCATOR_LOCAL_TOKEN: TOKEN,
      PORT: '0',
      LOCAL_PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_HOST,
      NGROK_SERVER_ADDR: '127.0.0.1:9',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      OPENAI_API_KEY: 'sk-test-shutdown',
      OPENAI_BASE_URL: openai.url,
      GOOGLE_TTS_ENDPOINT: google.url,
      LOG_TO_STDOUT: 'false',
    };
    let app = await startHeadless(env);

    // A voice message whose download hangs: its job is running when the signal comes.
    const rec = recordingSid(7);
    twilio.addRecording(rec, FIXTURE);
    twilio.failRecording(rec, { times: 1, hang: true });
    const sign = { token: twilio.authToken, publicHost: PUBLIC_HOST };
    const base = { AccountSid: twilio.accountSid };
    await postTwilio(app.publicUrl, '/webhook/incoming_call', { ...callParams(7), ...base }, sign);
    const recorded = await postTwilio(
      app.publicUrl,
      '/webhook/handle_recording',
      {
        ...callParams(7, {
          RecordingUrl: twilio.recordingUrl(rec),
          RecordingSid: rec,
          RecordingDuration: '2',
        }),
        ...base,
      },
      sign,
    );
    expect(recorded.status).toBe(200);
    await eventually('the voice message download to start', () => twilio.recordingHits(rec) === 1);

    // A live call: greeting heard, the agent listening.
    const call = await openTwilioStream({
      publicUrl: app.publicUrl,
      publicHost: PUBLIC_HOST,
      authToken: twilio.authToken,
      params: base,
    });
    call.start();
    await call.waitFor(() => call.media.length >= 10, 10_000);
    await eventually('the agent to listen', async () => {
      const live = (await app.api('monitor.liveCalls')).data as Array<{ callSid: string; state: string }>;
      return live.find((c) => c.callSid === call.callSid)?.state === 'listening';
    });
    const before = call.media.length;

    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(0);

    // The caller heard the closing line (cached at start-up) and was hung up through the REST API.
    expect(call.media.length - before).toBeGreaterThan(20);
    expect(google.requests.some((r) => JSON.stringify(r).includes(SHUTDOWN_TEXT))).toBe(true);
    expect(twilio.callUpdates).toContainEqual(
      expect.objectContaining({
        callSid: call.callSid,
        params: expect.objectContaining({ Status: 'completed' }),
      }),
    );
    // Checkpointed: nothing left in the write-ahead log.
    const wal = path.join(dir, 'agentlocator.db-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);

    // Restarted: the call says why it ended, and the interrupted job finishes.
    app = await startHeadless(env);
    const calls = (await app.api('calls.list', { page: 1, limit: 10 })).data as {
      items: Array<{ callSid: string; endedBy: string | null }>;
    };
    expect(calls.items.find((c) => c.callSid === call.callSid)?.endedBy).toBe('shutdown');
    await eventually('the job to retry the download', () => twilio.recordingHits(rec) === 2, 20_000);
    await eventually(
      'the voice message to be kept',
      async () => {
        const list = (await app.api('calls.list', { page: 1, limit: 10 })).data as {
          items: Array<{ callSid: string; hasRecording: boolean }>;
        };
        return list.items.find((c) => c.callSid === callParams(7).CallSid)?.hasRecording;
      },
      20_000,
    );
    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }, 120_000);
});
