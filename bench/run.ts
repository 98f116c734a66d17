/**
 * `npm run bench [name…]`: runs every bench/*.bench.ts (or the named ones) one after another and
 * writes each result as JSON to bench/results/<name>.json. A benchmark module default-exports
 * `async () => Record<string, unknown>`; it must bound its own work in count and time.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, 'results');
mkdirSync(resultsDir, { recursive: true });

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();

let failed = 0;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  process.stdout.write(`bench ${name} … `);
  const started = Date.now();
  try {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as {
      default: () => Promise<Record<string, unknown>>;
    };
    const result = await mod.default();
    const record = {
      name,
      at: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        mem_gb: Math.round(os.totalmem() / 2 ** 30),
      },
      seconds: Math.round((Date.now() - started) / 100) / 10,
      result,
    };
    writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify(record, null, 2) + '\n');
    console.log('done');
    console.log(JSON.stringify(result, null, 2));
  } catch (err) {
    failed++;
    console.log('FAILED');
    console.error(err);
  }
}
process.exit(failed ? 1 : 0);
