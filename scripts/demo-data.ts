/**
 * `npm run demo-data -- --customers N [--messages M] [--calls C] [--seed S] [--data-dir DIR] [--reset]`
 * Fills the app's database (migrations applied) with a realistic Hebrew demo business.
 * Data folder: --data-dir, else AGENTLOCATOR_DATA_DIR, else the OS app-data folder.
 */
import { parseArgs } from 'node:util';
import { closeDb, openDb } from '../src-main/db/client';
import { generateDemoData } from '../src-main/crm/demo-data';
import { defaultDataDir, resolvePaths } from '../src-main/platform/paths';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000' },
    messages: { type: 'string' },
    calls: { type: 'string' },
    deals: { type: 'string' },
    tasks: { type: 'string' },
    documents: { type: 'string' },
    seed: { type: 'string', default: '42' },
    now: { type: 'string' },
    'data-dir': { type: 'string' },
    reset: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: npm run demo-data -- --customers 100000 [--messages 1000000] [--calls 200000] [--deals N] [--tasks N] [--documents N] [--seed 42] [--now ISO] [--data-dir DIR] [--reset]',
  );
  process.exit(0);
}

const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got "${v}"`);
    process.exit(2);
  }
  return n;
};

const dataDir = values['data-dir'] ?? process.env.AGENTLOCATOR_DATA_DIR ?? defaultDataDir();
const paths = resolvePaths(dataDir);
const now = values.now ? Date.parse(values.now) : undefined;
if (values.now && Number.isNaN(now)) {
  console.error(`--now must be an ISO date, got "${values.now}"`);
  process.exit(2);
}

console.log(`demo data → ${paths.dbFile}`);
const db = openDb({ file: paths.dbFile, migrationsDir: paths.migrationsDir });
try {
  const summary = generateDemoData(
    db,
    {
      customers: num('customers', values.customers) ?? 1000,
      messages: num('messages', values.messages),
      calls: num('calls', values.calls),
      deals: num('deals', values.deals),
      tasks: num('tasks', values.tasks),
      documents: num('documents', values.documents),
      seed: num('seed', values.seed),
      now,
      reset: values.reset,
    },
    (msg) => console.log(`  ${msg}`),
  );
  console.log(JSON.stringify(summary, null, 2));
} catch (err) {
  console.error(`demo data failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  closeDb(db);
}
