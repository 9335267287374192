/**
 * The database's clock (confab_hlc_* in migrations/0008, which stamps every row) and the sync
 * engine's (src/shared/sync/hlc.ts) are one definition: the same text for the same clock, the
 * same carry of the counter, and the receive step on both.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHlc, HLC_COUNTER_LIMIT, HLC_MAX_MS, parseHlc } from '../../src/shared/sync/hlc';
import { sql } from '../../src/main/db/sql';
import { openTestDb, type TestDb } from '../helpers/engines';

describe('the SQL clock and the TypeScript clock on PGlite', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb('pglite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('write the same text for the same clock, and read it back the same', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: HLC_MAX_MS }),
        fc.integer({ min: 0, max: HLC_COUNTER_LIMIT - 1 }),
        fc.stringMatching(/^[0-9a-f]{16}$/),
        async (ms, counter, node) => {
          const logical = (BigInt(ms) * BigInt(HLC_COUNTER_LIMIT) + BigInt(counter)).toString();
          const [row] = await t.db.query<{ text: string; back: string }>(
            sql`SELECT confab_hlc_pack(${logical}::bigint, ${node}) AS text, confab_hlc_logical(confab_hlc_pack(${logical}::bigint, ${node}))::text AS back`,
          );
          expect(row!.text).toBe(formatHlc({ ms, counter, node }));
          expect(row!.back).toBe(logical);
          expect(parseHlc(row!.text)).toEqual({ ms, counter, node });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('stamps with its node id, strictly increasing, and past what it received', async () => {
    const [first] = await t.db.query<{ a: string; b: string; node: string }>(
      sql`SELECT confab_hlc_now() AS a, confab_hlc_now() AS b, confab_hlc_node() AS node`,
    );
    expect(first!.b > first!.a).toBe(true);
    expect(parseHlc(first!.a)!.node).toBe(first!.node);
    // A remote clock 3 minutes ahead: the next local stamp is after it.
    const ahead = formatHlc({ ms: Date.now() + 180_000, counter: 42, node: 'f'.repeat(16) });
    const [after] = await t.db.query<{ h: string }>(sql`SELECT confab_hlc_receive(${ahead}), confab_hlc_now() AS h`);
    expect(after!.h.slice(0, 21) > ahead.slice(0, 21)).toBe(true);
    // Text that is not a clock, or one past the year 4800, moves nothing.
    const [ignored] = await t.db.query<{ before: string; after: string }>(sql`
      SELECT (SELECT last_value::text FROM confab_hlc.clock) AS before,
             (SELECT confab_hlc_receive('999999999999999-00000-ffffffffffffffff')) IS NULL
               AND (SELECT confab_hlc_receive('garbage')) IS NULL AS ok,
             (SELECT last_value::text FROM confab_hlc.clock) AS after`);
    expect(ignored!.after).toBe(ignored!.before);
  });
});
