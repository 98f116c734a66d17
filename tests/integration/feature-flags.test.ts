/**
 * Every `feature:`-gated method of the contract, with its flag off, answers exactly 403
 * `<feature>_disabled` whatever the body: over the local HTTP server and over the IPC handler
 * (`registerIpc` from src-main/electron/ipc.ts, run without Electron: only `ipcMain` is stood in
 * for, to capture the handler it registers). The flag is checked before the input, so an empty
 * or a wrong body cannot turn the answer into a 400.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contract, type MethodName } from '../../src-main/api/contract';
import { FEATURE_FLAGS, type FeatureFlag } from '../../src-main/api/contract/business';
import { featureDisabled } from '../../src-main/api/dispatcher';
import { VALID_BODIES } from '../helpers/api-bodies';
import { startTestCore, type TestCore } from '../helpers/core';

type IpcHandler = (event: unknown, method: unknown, input: unknown) => Promise<unknown>;
const ipcHandlers = vi.hoisted(() => new Map<string, IpcHandler>());
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: IpcHandler) => ipcHandlers.set(channel, fn),
    removeHandler: (channel: string) => ipcHandlers.delete(channel),
  },
}));
const { registerIpc, IPC_CALL } = await import('../../src-main/electron/ipc');

const DEV = 'http://localhost:5173';
/** What Electron hands the handler for a call from our own page. */
const fromOurPage = { senderFrame: { url: `${DEV}/#/customers` } };

const gated = (Object.keys(contract) as MethodName[]).flatMap((m) => {
  const def = contract[m] as { feature?: FeatureFlag };
  return def.feature ? [{ method: m, feature: def.feature }] : [];
});
const features = [...new Set(gated.map((g) => g.feature))];

/** Bodies a caller might send: none, empty, wrong types, and one the schema accepts. */
const bodies = (m: MethodName): Array<[string, unknown]> => [
  ['no body', undefined],
  ['an empty object', {}],
  ['wrong types', { id: 'x', q: 5, customerId: [], csv: null, from: 'today' }],
  ['a valid body', VALID_BODIES[m]],
];

let t: TestCore;
let ipcCall: IpcHandler;
let unregister: () => void;
beforeAll(async () => {
  t = await startTestCore();
  unregister = registerIpc(t.core, () => [], { devServerUrl: DEV });
  ipcCall = ipcHandlers.get(IPC_CALL)!;
});
afterAll(async () => {
  unregister?.();
  await t?.stop();
});

const setFeature = async (f: FeatureFlag, on: boolean) => {
  const r = await t.api('business.setFeatures', { [f]: on });
  expect(r.status).toBe(200);
};

/** POST without a content type, so an absent body reaches the dispatcher as absent. */
async function http(method: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.localUrl}/api/${method}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

describe('feature-gated methods', () => {
  it('every method has a body the contract accepts, and the gated set is what the contract says', () => {
    for (const m of Object.keys(contract) as MethodName[]) {
      const parsed = contract[m].input.safeParse(VALID_BODIES[m]);
      expect(parsed.success, `${m}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
    expect(gated.length).toBeGreaterThanOrEqual(20);
    for (const f of features) expect(FEATURE_FLAGS).toContain(f);
  });

  it('the IPC handler reaches the dispatcher for our own page (and refuses another page)', async () => {
    const ok = (await ipcCall(fromOurPage, 'crm.dashboard', {})) as { ok: boolean };
    expect(ok.ok).toBe(true);
    const other = (await ipcCall({ senderFrame: { url: 'https://evil.example/' } }, 'crm.dashboard', {})) as {
      status: number;
      error: { error: string };
    };
    expect(other).toMatchObject({ ok: false, status: 403, error: { error: 'forbidden' } });
  });

  for (const feature of features) {
    it(`with ${feature} off, every ${feature} method answers exactly 403 ${featureDisabled(feature).toBody().error}, over HTTP and IPC, whatever the body`, async () => {
      const expected = featureDisabled(feature).toBody().error;
      await setFeature(feature, false);
      try {
        const wrong: string[] = [];
        let checked = 0;
        for (const { method } of gated.filter((g) => g.feature === feature)) {
          for (const [what, body] of bodies(method)) {
            const h = await http(method, body);
            if (h.status !== 403 || h.body.error !== expected)
              wrong.push(`HTTP ${method} with ${what}: ${h.status} ${h.body.error}`);
            const i = (await ipcCall(fromOurPage, method, body)) as {
              ok: boolean;
              status?: number;
              error?: { error: string };
            };
            if (i.ok || i.status !== 403 || i.error?.error !== expected)
              wrong.push(`IPC ${method} with ${what}: ${i.status} ${i.error?.error}`);
            checked += 2;
          }
        }
        expect(wrong).toEqual([]);
        expect(checked).toBe(gated.filter((g) => g.feature === feature).length * 8);
      } finally {
        await setFeature(feature, true);
      }
      // And on again, the same valid bodies are not refused for the flag.
      for (const { method } of gated.filter((g) => g.feature === feature)) {
        const h = await http(method, VALID_BODIES[method]);
        expect(h.body?.error, method).not.toBe(expected);
      }
    });
  }
});
