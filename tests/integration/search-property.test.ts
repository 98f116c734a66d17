/**
 * Search input is owner text, not query syntax: random Unicode (NUL and other control
 * characters, quotes, `*`, `NEAR(`, `AND`, `:`, lone surrogates, direction marks, very long
 * strings) sent to every text-search method of the contract through the real local HTTP
 * server never answers 5xx, and answers 200 exactly when the contract accepts the input.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type MethodName } from '../../src-main/api/contract';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { startTestCore, type TestCore } from '../helpers/core';

/** Input fields that carry search text, wherever a method's input has them. */
const SEARCH_FIELDS = ['q', 'query', 'search', 'tag', 'term'];

/** The object shape under a method's input (through default/optional/pipe wrappers). */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | null {
  let s = schema as unknown as { shape?: Record<string, z.ZodType>; _zod: { def: Record<string, unknown> } };
  for (let i = 0; i < 10 && s; i++) {
    if (s.shape) return s.shape;
    const def = s._zod.def;
    s = (def.innerType ?? def.in ?? def.schema) as typeof s;
  }
  return null;
}

const searchMethods = (Object.keys(contract) as MethodName[]).flatMap((m) => {
  const shape = shapeOf(contract[m].input);
  const fields = shape ? SEARCH_FIELDS.filter((f) => f in shape) : [];
  return fields.length ? [{ method: m, fields }] : [];
});

const RUNS_PER_METHOD = 300;

/** Pieces an attacker or an unlucky paste would put in a search box. */
const hostile = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '"',
  '""',
  "'",
  '*',
  'NEAR(',
  'NEAR(a b, 2)',
  ')',
  'AND',
  'OR',
  'NOT',
  ':',
  'name:',
  'phones : ',
  '^',
  '-',
  '+',
  '{',
  '}',
  '\\',
  '%',
  '_',
  '\ud800',
  '\udfff',
  '\udbff\u0041',
  '\u200f',
  '\u200e',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\t',
  '\n',
  ' ',
  'דנה',
  'לוי',
  'abc',
  '050',
  '+972',
  '😀',
);
const searchString = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.oneof(hostile, fc.string({ maxLength: 4 })), { maxLength: 12 })
      .map((a) => a.join('')),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 150, maxLength: 5000 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('\u0000'.repeat(300), '"'.repeat(199), '*'.repeat(200), 'NEAR('.repeat(40)),
  },
);

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
  generateDemoData(t.core.db, { customers: 300, seed: 7 });
  for (const name of ['דנה "הספרית" לוי', 'NEAR(abc) שושנה', 'star*power', 'a:b^c-d']) {
    const r = await t.api('crm.customers.create', { name, tags: [name.slice(0, 10)] });
    expect(r.status).toBe(200);
  }
});
afterAll(async () => {
  await t?.stop();
});

describe('text search under hostile input', () => {
  it('finds every text-search method of the contract', () => {
    expect(searchMethods.map((s) => s.method).sort()).toEqual(
      expect.arrayContaining(['crm.customers.export', 'crm.customers.list', 'crm.search']),
    );
  });

  it('searches literally: quotes, *, NEAR( and : are text, a NUL or a direction mark is ignored', async () => {
    const names = async (q: string) =>
      ((await t.api('crm.customers.list', { q })).body.data.items as Array<{ name: string }>).map(
        (c) => c.name,
      );
    expect(await names('"הספרית"')).toEqual(['דנה "הספרית" לוי']);
    expect(await names('NEAR(abc)')).toEqual(['NEAR(abc) שושנה']);
    expect(await names('star*')).toEqual(['star*power']);
    expect(await names('a:b^c')).toEqual(['a:b^c-d']);
    expect(await names('שושנה\u0000')).toEqual(['NEAR(abc) שושנה']);
    expect(await names('\u200fשושנה\ud800')).toEqual(['NEAR(abc) שושנה']);
    const tagged = await t.api('crm.customers.list', { tag: 'דנה "הספרי' });
    expect(tagged.body.data.items.map((c: { name: string }) => c.name)).toEqual(['דנה "הספרית" לוי']);
    const global = await t.api('crm.search', { q: '\u0000' });
    expect(global.status).toBe(200);
    expect(global.body.data.customers).toEqual([]);
  });

  it(`never answers 5xx: ${RUNS_PER_METHOD} random inputs per search method`, async () => {
    const started = performance.now();
    const statuses: Record<string, number> = {};
    for (const { method, fields } of searchMethods) {
      const input = fc.record(Object.fromEntries(fields.map((f) => [f, searchString])), {
        requiredKeys: [],
      });
      await fc.assert(
        fc.asyncProperty(input, async (body) => {
          const r = await t.api(method, body);
          statuses[`${method} ${r.status}`] = (statuses[`${method} ${r.status}`] ?? 0) + 1;
          expect(r.status).toBeLessThan(500);
          // 200 exactly when the contract accepts the input; otherwise a clear 400.
          const accepted = contract[method].input.safeParse(body).success;
          expect(r.status).toBe(accepted ? 200 : 400);
        }),
        { numRuns: RUNS_PER_METHOD, seed: 20_260_115, endOnFailure: true },
      );
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `search property: ${searchMethods.length} methods × ${RUNS_PER_METHOD} runs in ${seconds.toFixed(1)} s; ${JSON.stringify(statuses)}`,
    );
    expect(seconds).toBeLessThan(60);
    expect((await t.api('crm.dashboard')).status).toBe(200);
  }, 120_000);
});
