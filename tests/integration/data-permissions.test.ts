/**
 * The data folder holds customer data and call recordings: folders 0700, files 0600 on POSIX,
 * the SQLite -wal/-shm files, logs and recordings included, and an older install's 0755/0644
 * tree is tightened at start-up. A real core with its own file logger, a real recording download
 * from the fake Twilio, then every entry under the data folder is stat'ed.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { loadConfig } from '../../src-main/platform/config';
import { RECORDING_JOB } from '../../src-main/telephony/recording-job';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  callParams,
  callSid,
  postTwilio,
  PUBLIC_HOST,
  recordingSid,
} from '../helpers/twilio';

/** Every folder and file under `root` with its permission bits. */
function walk(root: string): Array<{ path: string; mode: number; dir: boolean }> {
  const out: Array<{ path: string; mode: number; dir: boolean }> = [];
  const visit = (p: string) => {
    const st = lstatSync(p);
    out.push({ path: path.relative(root, p) || '.', mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) for (const n of readdirSync(p)) visit(path.join(p, n));
  };
  visit(root);
  return out;
}

const open = (entries: ReturnType<typeof walk>) =>
  entries.filter((e) => (e.mode & 0o077) !== 0).map((e) => `${e.path} ${e.mode.toString(8)}`);

function wav(): Buffer {
  const pcm = Buffer.alloc(16000);
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

describe.skipIf(process.platform === 'win32')('data folder permissions (POSIX)', () => {
  let core: Core | undefined;
  let twilio: FakeTwilio | undefined;
  let dir: string | undefined;
  const umask = process.umask(0o022); // the usual default: without explicit modes files are 0644
  afterEach(async () => {
    await core?.stop();
    await twilio?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    process.umask(umask);
    core = twilio = dir = undefined;
  });

  it('keeps every folder 0700 and every file 0600: db, -wal/-shm, logs, recordings, and an older install', async () => {
    process.umask(0o022);
    dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'agentlocator-perm-')), 'data');
    // An older install: world-readable folders and files.
    for (const d of ['logs', 'files/recordings', 'cache/tts', 'backups']) {
      mkdirSync(path.join(dir, d), { recursive: true, mode: 0o755 });
    }
    writeFileSync(path.join(dir, 'logs', 'agentlocator.log.1'), '{"msg":"old"}\n', { mode: 0o644 });
    writeFileSync(path.join(dir, 'files', 'recordings', 'CAold_REold.wav'), wav(), { mode: 0o644 });
    writeFileSync(path.join(dir, 'cache', 'tts', 'old.ulaw'), Buffer.alloc(160), { mode: 0o644 });
    for (const e of walk(dir)) chmodSync(path.join(dir, e.path), e.dir ? 0o755 : 0o644);
    expect(open(walk(dir)).length).toBeGreaterThan(5);

    twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    twilio.addRecording(recordingSid(1), wav());
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOCAL_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_TO_STDOUT: 'false',
      AGENTLOCATOR_DATA_DIR: dir,
      PUBLIC_HOST,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilio.url,
      RECORDING_DOWNLOAD_BACKOFF_MS: '20',
      RECORDING_DOWNLOAD_TIMEOUT_MS: '2000',
    });
    // No logger passed: the core writes its own rotating log file in the data folder.
    core = await createCore({ config, mode: 'browser' });
    const url = (await core.startPublic()).replace('localhost', '127.0.0.1');
    expect((await postTwilio(url, '/webhook/incoming_call', callParams(1))).status).toBe(200);
    const rec = await postTwilio(
      url,
      '/webhook/handle_recording',
      callParams(1, {
        CallStatus: 'in-progress',
        RecordingUrl: twilio.recordingUrl(recordingSid(1)),
        RecordingSid: recordingSid(1),
        RecordingDuration: '1',
      }),
    );
    expect(rec.status).toBe(200);
    await core.jobs.idle(RECORDING_JOB);
    const call = core.calls.getBySid(callSid(1))!;
    expect(call.recordingPath).toBeTruthy();
    const created = await core.dispatch(
      'crm.customers.create',
      { name: 'בדיקת הרשאות', phone: '050-1112233' },
      { transport: 'internal', requestId: 'perm' },
    );
    expect(created.ok).toBe(true);

    const live = walk(dir);
    const names = live.map((e) => e.path);
    // What must be there for this test to mean anything.
    for (const f of [
      'agentlocator.db',
      'agentlocator.db-wal',
      'agentlocator.db-shm',
      'secret.key',
      path.join('logs', 'agentlocator.log'),
      path.join('files', 'recordings', call.recordingPath!),
    ]) {
      expect(names).toContain(f);
    }
    expect(open(live)).toEqual([]);
    expect(live.find((e) => e.path === '.')!.mode).toBe(0o700);

    await core.stop();
    core = undefined;
    expect(open(walk(dir))).toEqual([]);
  });
});
