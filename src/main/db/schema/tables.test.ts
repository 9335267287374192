/**
 * The table registry must equal the database's catalogue, on every engine: a table added by a
 * migration without a line in tables.ts (or a line left behind by a dropped table) fails here, as
 * does a key, tombstone or derived column that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import { TABLES } from './tables';

describe.each(ENGINES)('the table registry on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('declares every table of the schema, and no other', async () => {
    const rows = await t.db.query<{ name: string }>(sql`
      SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`);
    expect(TABLES.map((x) => x.name).sort()).toEqual(rows.map((r) => r.name));
  });

  it("names each table's real primary key, tombstone and derived columns", async () => {
    for (const table of TABLES) {
      const keys = await t.db.query<{ column: string }>(sql`
        SELECT a.attname AS column
          FROM pg_index i
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = ${table.name}::regclass AND i.indisprimary
         ORDER BY array_position(i.indkey, a.attnum)`);
      expect(keys.map((k) => k.column), table.name).toEqual([...table.key]);
      const columns = new Set(
        (
          await t.db.query<{ column: string }>(sql`
            SELECT column_name AS column FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ${table.name}`)
        ).map((c) => c.column),
      );
      for (const column of [...(table.tombstone ? [table.tombstone] : []), ...table.derived, ...('secret' in table ? table.secret : [])]) {
        expect(columns.has(column), `${table.name}.${column}`).toBe(true);
      }
    }
  });

  it('gives synced tables the columns sync needs, and keeps secrets and settings local', () => {
    for (const table of TABLES.filter((x) => x.scope === 'synced')) {
      expect(table.tombstone, table.name).toBe('deleted_at');
      expect(table.merge, table.name).not.toBe('none');
    }
    for (const name of ['secrets', 'settings', 'ui_state', 'provider_configs', 'model_prices', 'app_logs']) {
      expect(TABLES.find((x) => x.name === name)?.scope, name).toBe('local');
    }
  });
});
