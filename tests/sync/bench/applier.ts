/**
 * The device's applier alone (not a test): every batch a first pull would bring from a team
 * server, fetched first, then applied into a fresh PGlite with applyBatch and timed. Steadier than
 * the whole round, which shares the main thread with the server's replies; for comparing two
 * builds of the merge, run it on each in turn against the same server.
 *
 *   npx tsx tests/sync/bench/profile.ts --messages 100000 --keep   (prints the member's URL)
 *   npx tsx tests/sync/bench/applier.ts --url <member URL> [--batch 5000] [--runs 2]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { PulledChange } from '../../../src/shared/sync/round';
import { applyBatch } from '../../../src/main/db/sync/local';
import { freshDevice } from './device';

const { values } = parseArgs({
  options: { url: { type: 'string' }, batch: { type: 'string' }, runs: { type: 'string' } },
});
if (!values.url) throw new Error('--url <member connection string> is required (see profile.ts --keep)');
const BATCH = Number(values.batch ?? 5000);
const RUNS = Number(values.runs ?? 2);

const server = new pg.Client({ connectionString: values.url });
await server.connect();
const batches: PulledChange[][] = [];
const cursor = { xid: '0', seq: '0' };
for (;;) {
  const { rows } = await server.query<PulledChange>(
    'SELECT xid::text, seq::text, tbl, op, pk, body FROM sync.pull($1::xid8, $2::bigint, $3)',
    [cursor.xid, cursor.seq, BATCH],
  );
  if (rows.length === 0) break;
  batches.push(rows);
  Object.assign(cursor, { xid: rows.at(-1)!.xid, seq: rows.at(-1)!.seq });
}
const [{ id: userId }] = (await server.query<{ id: string }>('SELECT sync.caller_id()::text AS id')).rows as [
  { id: string },
];
await server.end();

for (let run = 1; run <= RUNS; run += 1) {
  const { db, close } = await freshDevice();
  try {
    let rows = 0;
    const started = performance.now();
    for (const changes of batches) {
      const outcome = await applyBatch(db, { changes, extra: [], userId });
      if (!outcome.applied) throw new Error(`a batch lacked rows: ${JSON.stringify(outcome.missing).slice(0, 200)}`);
      rows += changes.length;
    }
    const ms = performance.now() - started;
    console.log(`run ${run}: ${rows} rows in ${Math.round(ms)} ms, ${Math.round((rows / ms) * 1000)} rows/s`);
  } finally {
    await close();
  }
}
