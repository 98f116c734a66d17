/**
 * `npm run bench [name…]`: runs every bench/*.bench.ts (or the named ones) one after another and
 * writes each result as JSON to bench/results/<name>.json (BENCH_RESULTS_DIR=folder writes there
 * instead: small trial runs must not overwrite the committed figures). A benchmark module
 * default-exports `async () => Record<string, unknown>`; it must bound its own work in count and
 * time. Every record names the git commit of the code that produced it (and whether the working
 * tree differed from it), and is checked against the bench's schema (bench/lib/schemas.ts) before
 * it is written: a bench whose output changed must change its schema, and then the committed
 * result no longer matches it (tests/unit/bench-results.test.ts) until it is regenerated.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resultSchemas } from './lib/schemas';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(process.env.BENCH_RESULTS_DIR ?? path.join(here, 'results'));
mkdirSync(resultsDir, { recursive: true });

/** The commit checked out, and the paths that differ from it (committed results aside). */
function codeVersion(): { commit: string; dirty: boolean; dirty_paths: string[] } {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const commit = git('rev-parse', 'HEAD').trim();
    const changed = git('status', '--porcelain', '--untracked-files=all', '--', '.')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3))
      .filter((p) => !p.startsWith('bench/results/'));
    return { commit, dirty: changed.length > 0, dirty_paths: changed.slice(0, 50) };
  } catch {
    return { commit: 'unknown', dirty: true, dirty_paths: [] };
  }
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();
if (wanted.length && files.length !== wanted.length) {
  console.error(`unknown bench: ${wanted.filter((w) => !files.includes(`${w}.bench.ts`)).join(', ')}`);
  process.exit(1);
}

let failed = 0;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  process.stdout.write(`bench ${name} … `);
  const started = Date.now();
  try {
    const schema = resultSchemas[name];
    if (!schema) throw new Error(`no result schema for bench ${name} in bench/lib/schemas.ts`);
    const code = codeVersion();
    const load = os.loadavg()[0]!;
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as {
      default: () => Promise<Record<string, unknown>>;
    };
    const result = await mod.default();
    const record = {
      name,
      at: new Date().toISOString(),
      code,
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        mem_gb: Math.round(os.totalmem() / 2 ** 30),
        // Other work on the machine when the bench started (a loaded machine gives slower figures).
        loadavg_1m_at_start: Math.round(load * 100) / 100,
      },
      seconds: Math.round((Date.now() - started) / 100) / 10,
      result,
    };
    const checked = schema.safeParse(record);
    if (!checked.success) {
      console.log(JSON.stringify(result, null, 2));
      throw new Error(`result does not match its schema (bench/lib/schemas.ts): ${checked.error.message}`);
    }
    writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify(record, null, 2) + '\n');
    console.log(`done (${path.relative(process.cwd(), path.join(resultsDir, `${name}.json`))})`);
    console.log(JSON.stringify(result, null, 2));
  } catch (err) {
    failed++;
    console.log('FAILED');
    console.error(err);
  }
}
process.exit(failed ? 1 : 0);
