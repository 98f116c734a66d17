/**
 * Committed benchmark results are the output of the committed benchmarks: every bench has a result
 * schema (the one run.ts checks before writing), and every committed bench/results/*.json matches
 * the schema of the bench that writes it (fields, types, the pass rule's consistency) and names the
 * commit of the code that produced it. A bench whose output changed without its result being
 * regenerated fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resultSchemas } from '../../bench/lib/schemas';

const BENCH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
const benches = readdirSync(BENCH)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const results = readdirSync(path.join(BENCH, 'results'))
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('committed bench results', () => {
  it('every bench has a result schema, and every schema a bench', () => {
    expect(Object.keys(resultSchemas).sort()).toEqual(benches);
  });

  it('every result file belongs to a bench', () => {
    expect(results.map((f) => f.replace(/\.json$/, '')).filter((n) => !benches.includes(n))).toEqual([]);
  });

  it.each(results)('%s has the fields its bench writes now, and the commit that wrote it', (file) => {
    const name = file.replace(/\.json$/, '');
    const record: unknown = JSON.parse(readFileSync(path.join(BENCH, 'results', file), 'utf8'));
    const checked = resultSchemas[name]!.safeParse(record);
    expect(
      checked.success,
      checked.success
        ? ''
        : `${file} is stale (regenerate: npm run bench ${name}): ${checked.error.issues
            .slice(0, 5)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
    ).toBe(true);
  });
});
