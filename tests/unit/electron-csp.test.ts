/**
 * The renderer's Content-Security-Policy: under Electron (app://, IPC) it connects nowhere;
 * in browser mode the local server sends it as a header whose connect-src names that server's
 * real port only (the page's <meta> policy allows any local port; both apply, so the header
 * is what narrows it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/api/events';
import { createLogger } from '../../src-main/platform/logger';
import { contentSecurityPolicy, ELECTRON_CSP, localServerCsp } from '../../src-main/server/csp';
import { createLocalServer } from '../../src-main/server/local';

/** The policy's directives as name → sources. */
function directives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

describe('the renderer policy', () => {
  it('under Electron connects to its own origin only, and nothing may frame it', () => {
    const d = directives(ELECTRON_CSP);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(ELECTRON_CSP).not.toContain('*');
  });

  it('in browser mode connects to the one local port', () => {
    const d = directives(localServerCsp(43117));
    expect(d.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:43117', 'ws://localhost:43117']);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it.each([0, -1, 65536, 1.5, Number.NaN])(
    'with no real port (%s) it connects to its own origin only',
    (port) => {
      expect(localServerCsp(port)).toBe(contentSecurityPolicy());
    },
  );
});

describe('the local server sends the policy with its real port', () => {
  let dir: string;
  let base: string;
  let port: number;
  let close: () => Promise<void>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-csp-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>AgentLocator</title>');
    const app = await createLocalServer({
      logger: createLogger({ level: 'error', stdout: false, extra: new PassThrough() }),
      dispatch: async () => ({ ok: true, data: null }) as never,
      bus: new EventBus(),
      token: 'local-test-token',
      rendererDir: dir,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on the page', async () => {
    const res = await fetch(`${base}/?token=local-test-token`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const d = directives(res.headers.get('content-security-policy') ?? '');
    expect(d.get('connect-src')).toEqual(["'self'", `ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(res.headers.get('content-security-policy')).not.toContain('*');
  });

  it('on an API answer too (refused or not)', async () => {
    const res = await fetch(`${base}/api/system.info`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(directives(res.headers.get('content-security-policy') ?? '').get('connect-src')).toContain(
      `ws://127.0.0.1:${port}`,
    );
  });
});
