import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { startFakeGoogleTts, type FakeGoogleTts } from '../fakes/google-tts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST } from '../helpers/twilio';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENS = path.join(ROOT, 'test-results', 'screens');
mkdirSync(SCREENS, { recursive: true });

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningApp {
  dataDir: string;
  publicUrl: string;
  localUrl: string;
  token: string;
  /** The URL a person opens: the local server with its token. */
  openUrl: string;
  output(): string;
  /** SIGTERM, resolves with the exit code. */
  stop(): Promise<number | null>;
  restart(): Promise<RunningApp>;
  cleanup(): void;
}

/** Starts the built headless app (`node out/main/headless.js`) as a user would, on free loopback ports. */
export async function startApp(
  opts: {
    dataDir?: string;
    env?: Record<string, string>;
    /** Keep the first-run wizard (it opens by itself until seen); other specs start past it. */
    firstRun?: boolean;
  } = {},
): Promise<RunningApp> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'agentlocator-e2e-'));
  const [port, localPort] = [await freePort(), await freePort()];
  const token = randomBytes(18).toString('base64url');
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'out/main/headless.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOCAL_PORT: String(localPort),
      AGENTLOCATOR_DATA_DIR: dataDir,
      AGENTLOCATOR_LOCAL_TOKEN: token,
      LOG_TO_STDOUT: 'false',
      // A tunnel key typed in a test never reaches the internet: ngrok connects to a closed local port.
      NGROK_SERVER_ADDR: '127.0.0.1:9',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const publicUrl = `http://127.0.0.1:${port}`;
  const localUrl = `http://127.0.0.1:${localPort}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited early:\n${out}`);
    try {
      const [a, b] = await Promise.all([fetch(`${publicUrl}/healthz`), fetch(`${localUrl}/`)]);
      if (a.ok && b.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`app did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!opts.firstRun) {
    // Specs about other pages start where an owner who closed the wizard once would.
    await fetch(`${localUrl}/api/setup.mark`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ wizardSeen: true }),
    }).catch(() => undefined);
  }
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return {
    dataDir,
    publicUrl,
    localUrl,
    token,
    openUrl: `${localUrl}/?token=${token}`,
    output: () => out,
    stop,
    async restart() {
      await stop();
      return startApp({ ...opts, dataDir });
    },
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export interface AppWithFakes {
  app: RunningApp;
  twilio: FakeTwilio;
  openai: FakeOpenAI;
  google: FakeGoogleTts;
  close(): Promise<void>;
}

/**
 * The built app wired to loopback fakes of Twilio REST, OpenAI and Google TTS, as a phone line
 * would be in production (PUBLIC_HOST, account credentials, keys).
 */
export async function startAppWithFakes(
  opts: { googleMsPerChar?: number; env?: Record<string, string> } = {},
): Promise<AppWithFakes> {
  const twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const openai = await startFakeOpenAI();
  const google = await startFakeGoogleTts({ msPerChar: opts.googleMsPerChar ?? 20 });
  const app = await startApp({
    env: {
      PUBLIC_HOST,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilio.url,
      OPENAI_API_KEY: 'sk-e2e',
      OPENAI_BASE_URL: openai.url,
      GOOGLE_TTS_ENDPOINT: google.url,
      ...opts.env,
    },
  });
  return {
    app,
    twilio,
    openai,
    google,
    async close() {
      await app.stop();
      app.cleanup();
      await Promise.all([twilio.close(), openai.close(), google.close()]);
    },
  };
}

/** Calls the app's API over the local server as the renderer does; a refusal throws with its body. */
export async function callApi<T = any>(app: RunningApp, method: string, input: unknown = {}): Promise<T> {
  const res = await fetch(`${app.localUrl}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { data: T };
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(body)}`);
  return body.data;
}

/** A screenshot into test-results/screens/ (the pointer out of the way, so no hover state shows). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  await page.mouse.move(0, 0);
  const file = path.join(SCREENS, name);
  await page.screenshot({ path: file, fullPage });
  return file;
}
