/**
 * Files to the renderer (platform/files.ts): one FileAccess behind `GET /files/<id>` on the local
 * server (per-launch token in the header or ?token=) and `app://agentlocator/files/<id>` under
 * Electron. Token required, traversal refused, Range 206 with the right bytes, 416 past the end.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/api/events';
import { appFileId } from '../../src-main/electron/app-protocol';
import { FileAccess, FileAccessError, parseRange } from '../../src-main/platform/files';
import { createLogger } from '../../src-main/platform/logger';
import { createLocalServer } from '../../src-main/server/local';

const TOKEN = 'files-test-token';

describe('GET /files/<id> on the local server', () => {
  let dir: string;
  let base: string;
  let files: FileAccess;
  let close: () => Promise<void>;
  const audio = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-files-'));
    files = new FileAccess(path.join(dir, 'files'));
    mkdirSync(path.join(dir, 'files', 'documents', '2026'), { recursive: true });
    writeFileSync(path.join(dir, 'files', 'documents', '2026', 'חשבונית-1001.pdf'), '%PDF-1.7 test');
    writeFileSync(path.join(dir, 'files', 'recordings', 'call.wav'), audio);
    writeFileSync(path.join(dir, 'secret.key'), 'do not serve');
    const app = await createLocalServer({
      logger: createLogger({ level: 'error', stdout: false, extra: new PassThrough() }),
      dispatch: async () => ({ ok: true, data: null }) as never,
      bus: new EventBus(),
      token: TOKEN,
      files,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves an issued PDF with its Content-Type, with the token only', async () => {
    const f = files.issue('documents', '2026/חשבונית-1001.pdf');
    expect(f.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(f.path).toBe(`/files/${f.id}`);
    expect(f.id).not.toContain('1001');

    const none = await fetch(`${base}${f.path}`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${base}${f.path}?token=nope`);
    expect(wrong.status).toBe(401);

    const ok = await fetch(`${base}${f.path}?token=${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pdf');
    expect(ok.headers.get('accept-ranges')).toBe('bytes');
    expect(ok.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await ok.text()).toBe('%PDF-1.7 test');

    const header = await fetch(`${base}${f.path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(header.status).toBe(200);
    // The same file keeps its id for the launch.
    expect(files.issue('documents', '2026/חשבונית-1001.pdf').id).toBe(f.id);
  });

  it('unknown and malformed ids are 404, never a path', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', '..%2F..%2Fsecret.key', 'documents%2F2026']) {
      const res = await fetch(`${base}/files/${id}?token=${TOKEN}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('do not serve');
    }
  });

  it('refuses paths that leave their folder', () => {
    const bad = [
      '../secret.key',
      '../../secret.key',
      '/etc/passwd',
      '2026/../../recordings/call.wav',
      'a\0b',
      '',
      '.',
    ];
    for (const p of bad) expect(() => files.issue('documents', p), p).toThrow(FileAccessError);
    expect(() => files.issue('nope' as never, 'x.pdf')).toThrow(/unknown folder/);
    // A symlink inside the folder that points out of it.
    symlinkSync(path.join(dir, 'secret.key'), path.join(dir, 'files', 'documents', 'link.pdf'));
    expect(() => files.issue('documents', 'link.pdf')).toThrow(/leaves its folder/);
    expect(() => files.issue('documents', 'missing.pdf')).toThrow(/no such file/);
  });

  it('answers a Range request with 206 and exactly those bytes (audio seeking)', async () => {
    const f = files.issue('recordings', 'call.wav');
    const get = (range: string) => fetch(`${base}${f.path}?token=${TOKEN}`, { headers: { range } });

    const mid = await get('bytes=100-199');
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-type')).toBe('audio/wav');
    expect(mid.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(mid.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await mid.arrayBuffer())).toEqual(audio.subarray(100, 200));

    const open = await get('bytes=990-');
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer())).toEqual(audio.subarray(990));

    const suffix = await get('bytes=-10');
    expect(suffix.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(audio.subarray(990));

    const past = await get('bytes=1000-1005');
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */1000');

    const whole = await fetch(`${base}${f.path}?token=${TOKEN}`);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(audio);
  });
});

describe('range parsing and the app:// file URL', () => {
  it('parses one byte range', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=0-0', 10)).toEqual([0, 0]);
    expect(parseRange('bytes=5-100', 10)).toEqual([5, 9]);
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
  });

  it('takes only app://agentlocator/files/<22-char id>', () => {
    const id = 'abcdefghijklmnopqrstuv';
    expect(appFileId(`app://agentlocator/files/${id}`)).toBe(id);
    expect(appFileId(`app://agentlocator/files/${id}?x=1`)).toBe(id);
    expect(appFileId(`app://other/files/${id}`)).toBeNull();
    expect(appFileId(`app://agentlocator:81/files/${id}`)).toBeNull();
    expect(appFileId(`app://agentlocator/files/../${id}`)).toBeNull();
    expect(appFileId(`app://agentlocator/files/${id}/x`)).toBeNull();
    expect(appFileId('app://agentlocator/files/short')).toBeNull();
  });
});
