/**
 * Fuzz of the local API: every method of the contract gets random input over the real local
 * HTTP server — random JSON, its valid body with fields swapped for hostile values, and raw
 * bodies that are not JSON at all. Bounded in count (RUNS_PER_METHOD per method, seeded) and
 * time; never a 5xx, the process stays up, and the counts per status are printed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type MethodName } from '../../src-main/api/contract';
import { FEATURE_DEFAULTS } from '../../src-main/api/contract/business';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { VALID_BODIES } from '../helpers/api-bodies';
import { startTestCore, type TestCore } from '../helpers/core';

const RUNS_PER_METHOD = 40;
const SEED = 8_082_026;
/** Nothing listens here: a fuzzed key makes probes fail fast on loopback, never go outside. */
const DEAD = 'http://127.0.0.1:9';

const piece = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\u001b',
  '"',
  '"; drop table customers; --',
  "' or 1=1 --",
  '*',
  'NEAR(',
  ':',
  '\ud800',
  '\u202e',
  '../../etc/passwd',
  '__proto__',
  '1e309',
  '050-1234567',
  'דנה',
  'x'.repeat(25_000),
);
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  piece,
  fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 6 }).map((a) => a.join('')),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 53, -(2 ** 53), 1e308, 1.5, Number.MAX_SAFE_INTEGER + 2),
);
const hostileValue = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A valid body with some fields swapped for hostile values, dropped, or an extra one added. */
function mutated(valid: unknown): fc.Arbitrary<unknown> {
  if (!valid || typeof valid !== 'object') return fc.jsonValue({ maxDepth: 3 });
  const keys = Object.keys(valid);
  return fc
    .record({
      swap: fc.subarray(keys),
      drop: fc.subarray(keys, { maxLength: Math.min(1, keys.length) }),
      // A text field mostly gets hostile text, so it gets past type checks into the handler.
      values: fc.tuple(
        ...keys.map((k) =>
          typeof (valid as Record<string, unknown>)[k] === 'string'
            ? fc.oneof({ weight: 3, arbitrary: hostileString }, { weight: 1, arbitrary: hostileValue })
            : hostileValue,
        ),
      ),
      extra: fc.option(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'id', 'x'), hostileValue)),
    })
    .map(({ swap, drop, values, extra }) => {
      const body: Record<string, unknown> = { ...(valid as Record<string, unknown>) };
      keys.forEach((k, i) => swap.includes(k) && (body[k] = values[i]));
      for (const k of drop) delete body[k];
      if (extra) body[extra[0]] = extra[1];
      return body;
    });
}

const inputFor = (m: MethodName) =>
  fc.oneof(
    { weight: 2, arbitrary: mutated(VALID_BODIES[m]) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.constant(VALID_BODIES[m]) },
  );

/** Bodies that never parse as the JSON they claim to be, or are not JSON at all. */
const RAW_BODIES: Array<[string, string | undefined]> = [
  ['{"not json', 'application/json'],
  ['', 'application/json'],
  ['null', 'application/json'],
  ['"a string"', 'application/json'],
  ['[1,2,3]', 'application/json'],
  [`${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
  ['{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}', 'application/json'],
  ['\u0000\u0001\u0002', 'application/json'],
  ['name=x', 'application/x-www-form-urlencoded'],
  ['plain text', 'text/plain'],
  ['{}', 'application/json; charset=utf-16'],
  ['{}', undefined],
];

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore({
    OPENAI_BASE_URL: `${DEAD}/v1`,
    TWILIO_API_BASE_URL: DEAD,
    GOOGLE_TTS_ENDPOINT: `${DEAD}/tts`,
  });
  generateDemoData(t.core.db, { customers: 100, seed: 3 });
});
afterAll(async () => {
  await t?.stop();
});

async function post(method: string, body: string | undefined, contentType: string | undefined) {
  const res = await fetch(`${t.localUrl}/api/${encodeURIComponent(method)}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.token}`,
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    ...(body === undefined ? {} : { body }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('local API fuzz', () => {
  it(`every method, ${RUNS_PER_METHOD} random inputs each plus raw bodies: never 5xx, process alive`, async () => {
    const started = performance.now();
    const byStatus: Record<number, number> = {};
    const fiveXx: string[] = [];
    const count = (status: number, what: string) => {
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (status >= 500) fiveXx.push(`${status} ${what}`.slice(0, 300));
    };
    const methods = Object.keys(contract) as MethodName[];

    for (const m of methods) {
      await fc.assert(
        fc.asyncProperty(inputFor(m), async (input) => {
          const body = JSON.stringify(input);
          count(await post(m, body, 'application/json'), `${m} ${body}`);
        }),
        { numRuns: RUNS_PER_METHOD, seed: SEED, endOnFailure: true },
      );
      for (const [body, type] of RAW_BODIES)
        count(await post(m, body, type), `${m} raw ${body.slice(0, 40)}`);
      // A fuzzed business.setFeatures must not switch the rest of the run off.
      await t.api('business.setFeatures', { ...FEATURE_DEFAULTS });
    }
    // Methods that do not exist, with names a caller could make up.
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }), async (name) => {
        count(await post(name, '{}', 'application/json'), `unknown ${name}`);
      }),
      { numRuns: 50, seed: SEED, endOnFailure: true },
    );

    const requests = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `local API fuzz: ${requests} requests over ${methods.length} methods in ${seconds.toFixed(1)} s; by status ${JSON.stringify(byStatus)}; 5xx=${fiveXx.length}`,
    );
    expect(fiveXx).toEqual([]);
    expect(requests).toBe(methods.length * (RUNS_PER_METHOD + RAW_BODIES.length) + 50);
    expect(seconds).toBeLessThan(240);
    // Still up and answering, on both servers.
    expect((await t.api('system.info')).status).toBe(200);
    expect((await t.api('crm.customers.list', {})).status).toBe(200);
    expect((await fetch(`${t.publicUrl}/healthz`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 300_000);
});
