import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createCore, type Core, type CoreOptions } from '../../src-main/core';
import { loadConfig } from '../../src-main/platform/config';
import { createLogger } from '../../src-main/platform/logger';

export interface TestCore {
  core: Core;
  dataDir: string;
  publicUrl: string;
  localUrl: string;
  token: string;
  /** Every JSON log line written so far. */
  logs(): Array<Record<string, unknown>>;
  /** Calls the local HTTP API with the token; returns status and body. */
  api(method: string, input?: unknown): Promise<{ status: number; body: any }>;
  /** The same, for a call that must succeed: its `data`, or a thrown error with the answer. */
  ok(method: string, input?: unknown): Promise<any>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** Starts a real core on ephemeral loopback ports with its own data folder. */
export async function startTestCore(
  env: Record<string, string> = {},
  dataDir?: string,
  coreOptions: Pick<CoreOptions, 'tunnel' | 'clock' | 'setup'> = {},
): Promise<TestCore> {
  const dir = dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'agentlocator-test-'));
  const lines: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOCAL_PORT: '0',
    LOG_LEVEL: 'debug',
    AGENTLOCATOR_DATA_DIR: dir,
    // A tunnel key set by a test never reaches the internet: ngrok connects to a closed local port.
    NGROK_SERVER_ADDR: '127.0.0.1:9',
    ...env,
  });
  const logger = createLogger({ level: 'debug', stdout: false, extra: sink });
  const core = await createCore({ config, mode: 'browser', logger, ...coreOptions });
  const publicUrl = (await core.startPublic()).replace('localhost', '127.0.0.1');
  const local = await core.startLocal();
  const localUrl = `http://127.0.0.1:${local.port}`;
  const api: TestCore['api'] = async (method, input) => {
    const res = await fetch(`${localUrl}/api/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    core,
    dataDir: dir,
    publicUrl,
    localUrl,
    token: local.token,
    logs: () =>
      lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    api,
    async ok(method, input) {
      const r = await api(method, input);
      if (r.status !== 200) throw new Error(`${method} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.data;
    },
    async stop(opts) {
      await core.stop();
      if (!opts?.keepData) rmSync(dir, { recursive: true, force: true });
    },
  };
}
