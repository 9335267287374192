import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { ENGINES, MIGRATIONS_DIR, openTestDb, type TestDb } from '../../../tests/helpers/engines';
import { createTestDatabase } from '../../../tests/helpers/postgres';
import { pgDb, type Db } from './database';
import { checksumOf, loadMigrations, migrate, planMigrations, type MigrationPlan } from './migrator';
import { sql } from './sql';

const tempDirs: string[] = [];

/** A migrations folder holding exactly these files. */
function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-migrations-'));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Caught error, asserted to be a ConfabError. */
async function refusal(promise: Promise<unknown>): Promise<ConfabError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return err as ConfabError;
}

// Three migrations that only work in order: 2 needs 1's table, 3 needs 2's column.
const V1 = 'CREATE TABLE mt_notes (id integer PRIMARY KEY);\n';
const V2 =
  "ALTER TABLE mt_notes ADD COLUMN body text NOT NULL DEFAULT '';\nCREATE INDEX mt_notes_body_idx ON mt_notes (body);\n";
const V3 = "INSERT INTO mt_notes (id, body) VALUES (1, 'seeded by 3');\n";
const BASE = { '0001_notes.sql': V1, '0002_body.sql': V2, '0003_seed.sql': V3 };

async function recorded(db: Db) {
  return db.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
    sql`SELECT version, name, checksum, applied_at FROM confab_migrations ORDER BY version`,
  );
}

async function tableExists(db: Db, name: string): Promise<boolean> {
  const rows = await db.query<{ t: string | null }>(sql`SELECT to_regclass(${name})::text AS t`);
  return rows[0]?.t != null;
}

describe.each(ENGINES)('migrator on %s', (engine) => {
  let t: TestDb;
  let schemaNo = 0;
  beforeAll(async () => {
    t = await openTestDb(engine);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    // Each test gets an empty schema first on the search_path, so the migrator (which uses
    // unqualified names) sees a database with no migration history. On PGlite this avoids a
    // fresh data dir per test (initdb costs ~5 s; the run's template is already migrated).
    schemaNo += 1;
    await t.db.exec(`CREATE SCHEMA mt_${schemaNo}; SET search_path TO mt_${schemaNo}`);
  });

  it('applies pending migrations in order and records each with its checksum', async () => {
    const dir = migrationsDir({ '0003_seed.sql': V3, '0001_notes.sql': V1, '0002_body.sql': V2 });
    const result = await migrate(t.db, loadMigrations(dir));
    expect(result).toEqual({ applied: [1, 2, 3], version: 3 });
    const rows = await recorded(t.db);
    expect(rows.map((r) => [Number(r.version), r.name, r.checksum])).toEqual([
      [1, 'notes', checksumOf(V1)],
      [2, 'body', checksumOf(V2)],
      [3, 'seed', checksumOf(V3)],
    ]);
    expect(await t.db.query(sql`SELECT id, body FROM mt_notes`)).toEqual([{ id: 1, body: 'seeded by 3' }]);
  });

  it('does nothing on a second run', async () => {
    const migrations = loadMigrations(migrationsDir(BASE));
    await migrate(t.db, migrations);
    const before = await recorded(t.db);
    let upgradeCalls = 0;
    const again = await migrate(t.db, migrations, async () => {
      upgradeCalls += 1;
    });
    expect(again).toEqual({ applied: [], version: 3 });
    expect(upgradeCalls).toBe(0);
    expect(await recorded(t.db)).toEqual(before);
    expect(await t.db.query(sql`SELECT count(*)::int AS n FROM mt_notes`)).toEqual([{ n: 1 }]);
  });

  it('calls beforeUpgrade only when an existing schema gets new migrations', async () => {
    const plans: MigrationPlan[] = [];
    const hook = async (plan: MigrationPlan) => {
      plans.push(plan);
    };
    await migrate(t.db, loadMigrations(migrationsDir({ '0001_notes.sql': V1 })), hook);
    expect(plans).toEqual([]); // a first run changes no existing data
    await migrate(t.db, loadMigrations(migrationsDir(BASE)), hook);
    expect(plans).toHaveLength(1);
    expect(plans[0]?.applied).toEqual([1]);
    expect(plans[0]?.pending.map((m) => m.version)).toEqual([2, 3]);
    expect(plans[0]?.isUpgrade).toBe(true);
  });

  it('rolls a failing migration back entirely and stops there', async () => {
    await migrate(t.db, loadMigrations(migrationsDir(BASE)));
    const failing =
      'CREATE TABLE mt_partial (id integer);\n' +
      "INSERT INTO mt_notes (id, body) VALUES (2, 'from 4');\n" +
      'ALTER TABLE mt_notes ADD COLUMN body text;\n'; // fails: the column exists
    const dir = migrationsDir({
      ...BASE,
      '0004_partial.sql': failing,
      '0005_after.sql': 'CREATE TABLE mt_after (id int);',
    });
    const err = await refusal(migrate(t.db, loadMigrations(dir)));
    expect(err.code).toBe('migration_failed');
    expect(err.message).toContain('0004_partial');
    expect(err.message).toMatch(/rolled back/);
    expect(err.details).toEqual({ version: 4 });
    expect(await tableExists(t.db, 'mt_partial')).toBe(false);
    expect(await tableExists(t.db, 'mt_after')).toBe(false);
    expect(await t.db.query(sql`SELECT id FROM mt_notes ORDER BY id`)).toEqual([{ id: 1 }]);
    expect((await recorded(t.db)).map((r) => Number(r.version))).toEqual([1, 2, 3]);
    // The connection is usable afterwards (no transaction left open or aborted).
    expect(await t.db.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    // Once fixed, the migration applies.
    const fixed = migrationsDir({ ...BASE, '0004_partial.sql': 'CREATE TABLE mt_partial (id integer);' });
    expect((await migrate(t.db, loadMigrations(fixed))).applied).toEqual([4]);
  });

  it('keeps the migrations before a failure that happens on a first run', async () => {
    const dir = migrationsDir({ ...BASE, '0002_body.sql': 'ALTER TABLE mt_missing ADD COLUMN x int;' });
    const err = await refusal(migrate(t.db, loadMigrations(dir)));
    expect(err.code).toBe('migration_failed');
    expect((await recorded(t.db)).map((r) => Number(r.version))).toEqual([1]);
  });

  it('refuses a database from a newer app and changes nothing', async () => {
    await migrate(
      t.db,
      loadMigrations(migrationsDir({ ...BASE, '0004_newer.sql': 'CREATE TABLE mt_newer (id int);' })),
    );
    const before = await recorded(t.db);
    let upgradeCalls = 0;
    const err = await refusal(
      migrate(t.db, loadMigrations(migrationsDir(BASE)), async () => {
        upgradeCalls += 1;
      }),
    );
    expect(err.code).toBe('db_too_new');
    expect(err.message).toMatch(/newer version of Confab/);
    expect(err.message).toMatch(/schema 4/);
    expect(err.message).toMatch(/nothing was changed/);
    expect(err.details).toEqual({ dbVersion: 4, appVersion: 3 });
    expect(upgradeCalls).toBe(0);
    expect(await recorded(t.db)).toEqual(before);
    expect(await tableExists(t.db, 'mt_newer')).toBe(true);
  });

  it('refuses an applied migration whose file changed, before applying anything', async () => {
    await migrate(t.db, loadMigrations(migrationsDir(BASE)));
    const edited = migrationsDir({
      ...BASE,
      '0002_body.sql': V2.replace("DEFAULT ''", "DEFAULT 'x'"),
      '0004_more.sql': 'CREATE TABLE mt_more (id int);',
    });
    const err = await refusal(migrate(t.db, loadMigrations(edited)));
    expect(err.code).toBe('migration_checksum_mismatch');
    expect(err.message).toContain('0002_body');
    expect(err.details).toMatchObject({ version: 2, expected: checksumOf(V2) });
    expect(await tableExists(t.db, 'mt_more')).toBe(false);
    expect((await recorded(t.db)).map((r) => Number(r.version))).toEqual([1, 2, 3]);
  });

  it('treats a CRLF checkout of an applied file as unchanged', async () => {
    await migrate(t.db, loadMigrations(migrationsDir(BASE)));
    const crlf = Object.fromEntries(Object.entries(BASE).map(([k, v]) => [k, v.replace(/\n/g, '\r\n')]));
    const plan = await planMigrations(t.db, loadMigrations(migrationsDir(crlf)));
    expect(plan.pending).toEqual([]);
    expect(plan.applied).toEqual([1, 2, 3]);
  });
});

describe('migrator on a shared PostgreSQL', () => {
  it('lets two clients migrate the same database at the same time', async () => {
    // A team server is migrated by whichever admin client connects first; two at once must not
    // fail or apply a migration twice.
    const database = await createTestDatabase(inject('postgresUrl'));
    const clients = [new pg.Client(database.url), new pg.Client(database.url)];
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const migrations = loadMigrations(MIGRATIONS_DIR);
      const results = await Promise.all(clients.map((c) => migrate(pgDb(c), migrations)));
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual(migrations.map((m) => m.version).sort());
      const rows = await recorded(pgDb(clients[0]!));
      expect(rows.map((r) => Number(r.version))).toEqual(migrations.map((m) => m.version));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await database.drop();
    }
  });
});

describe('one PostgreSQL connection shared by two callers', () => {
  // The migrator (and sync) run on pgDb; its transactions must be as isolated as PGlite's.
  it('keeps concurrent transactions and statements out of each other', async () => {
    const database = await createTestDatabase(inject('postgresUrl'));
    const client = new pg.Client(database.url);
    try {
      await client.connect();
      const db = pgDb(client);
      await db.exec('CREATE TABLE probe (v text)');
      const failing = db.transaction(async (tx) => {
        await tx.query(sql`INSERT INTO probe VALUES ('a')`);
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('a fails');
      });
      const committing = db.transaction(async (tx) => {
        await tx.query(sql`INSERT INTO probe VALUES ('b')`);
        return 'b';
      });
      const single = db.query(sql`INSERT INTO probe VALUES ('c') RETURNING v`);
      await expect(failing).rejects.toThrow('a fails');
      await expect(committing).resolves.toBe('b');
      await expect(single).resolves.toEqual([{ v: 'c' }]);
      expect(await db.query(sql`SELECT v FROM probe ORDER BY v`)).toEqual([{ v: 'b' }, { v: 'c' }]);

      // A nested transaction joins the outer one and shares its rollback.
      await expect(
        db.transaction(async (tx) => {
          await tx.transaction((inner) => inner.query(sql`INSERT INTO probe VALUES ('nested')`));
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await db.query(sql`SELECT count(*)::int AS n FROM probe WHERE v = 'nested'`)).toEqual([{ n: 0 }]);
    } finally {
      await client.end();
      await database.drop();
    }
  });
});

describe('checksumOf', () => {
  it('ignores CRLF versus LF and nothing else', () => {
    expect(checksumOf('a\r\nb\r\n')).toBe(checksumOf('a\nb\n'));
    expect(checksumOf('a\nb\n')).not.toBe(checksumOf('a\nb'));
    expect(checksumOf('a  b')).not.toBe(checksumOf('a b'));
    expect(checksumOf('x')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('loadMigrations', () => {
  it('loads the real migrations as 1..n', () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(migrations[0]?.name).toBe('core');
    expect(migrations[0]?.checksum).toBe(checksumOf(readFileSync(join(MIGRATIONS_DIR, '0001_core.sql'), 'utf8')));
  });

  it('sorts by number and ignores files that are not .sql', () => {
    const dir = migrationsDir({ '0002_b.sql': 'b', '0001_a.sql': 'a', 'README.md': '# notes', '.DS_Store': '' });
    expect(loadMigrations(dir).map((m) => [m.version, m.name, m.sql])).toEqual([
      [1, 'a', 'a'],
      [2, 'b', 'b'],
    ]);
    expect(loadMigrations(migrationsDir({}))).toEqual([]);
  });

  it.each([
    ['no zero padding', '1_core.sql'],
    ['five digits', '00001_core.sql'],
    ['a dash', '0001-core.sql'],
    ['upper case', '0001_Core.sql'],
    ['a space', '0001_core table.sql'],
    ['no name', '0001.sql'],
    ['an empty name', '0001_.sql'],
    ['a double extension', '0001_core.down.sql'],
  ])('refuses a badly named file (%s)', (_label, file) => {
    expect(() => loadMigrations(migrationsDir({ [file]: 'SELECT 1;' }))).toThrow(/0001_name\.sql/);
  });

  it.each([
    ['a gap', { '0001_a.sql': '', '0003_c.sql': '' }],
    ['not starting at 1', { '0002_b.sql': '' }],
    ['starting at 0', { '0000_zero.sql': '', '0001_a.sql': '' }],
    ['a duplicate number', { '0001_a.sql': '', '0001_b.sql': '', '0002_c.sql': '' }],
  ])('refuses %s in the numbering', (_label, files) => {
    expect(() => loadMigrations(migrationsDir(files))).toThrow(/without gaps/);
  });
});
