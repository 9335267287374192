import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { isUuid } from '@shared/ids';
import { MIGRATIONS_DIR } from '../../../tests/helpers/engines';
import { loadMigrations } from './migrator';
import { openAppDatabase, WAL_LIMITS, type OpenedDatabase } from './open';
import { sql } from './sql';
import type { Db } from './database';

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const REAL = loadMigrations(MIGRATIONS_DIR);
const LATEST = REAL.at(-1)!.version;
const pad = (n: number) => String(n).padStart(4, '0');

/** The real migrations plus `extra` test-only files numbered after them. */
function migrationsWith(...extra: string[]): string {
  const dir = tempDir('confab-open-migrations-');
  for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
  extra.forEach((text, i) => writeFileSync(join(dir, `${pad(LATEST + i + 1)}_extra${i + 1}.sql`), text));
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<ConfabError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return err as ConfabError;
}

const backups = (dataDir: string) =>
  existsSync(join(dataDir, 'backups')) ? readdirSync(join(dataDir, 'backups')).sort() : [];
const versions = async (o: OpenedDatabase) =>
  (await o.db.query<{ version: number }>(sql`SELECT version FROM confab_migrations ORDER BY version`)).map((r) =>
    Number(r.version),
  );

describe('openAppDatabase', () => {
  const templateDir = inject('pgliteTemplateDir');
  const dataDir = join(tempDir('confab-open-'), 'data');
  const EXTRA1 = 'CREATE TABLE extra_one (id int PRIMARY KEY);';
  const EXTRA2 = 'CREATE TABLE extra_two (id int PRIMARY KEY);';
  let ownerId = '';
  let firstNode = '';
  const nodeOf = async (opened: { db: Db }) =>
    (await opened.db.query<{ id: string }>(sql`SELECT confab_hlc_node() AS id`))[0]!.id;

  it('starts a first run from the template, migrated and ready, with a local user', async () => {
    const opened = await openAppDatabase({ dataDir, migrationsDir: MIGRATIONS_DIR, templateDir });
    try {
      expect(opened).toMatchObject({ firstRun: true, usedTemplate: true, schemaVersion: LATEST, snapshot: null });
      expect(isUuid(opened.ownerId)).toBe(true);
      ownerId = opened.ownerId;
      firstNode = await nodeOf(opened);
      expect(await versions(opened)).toEqual(REAL.map((m) => m.version));
      const users = await opened.db.query(sql`SELECT id FROM users WHERE is_local`);
      expect(users).toEqual([{ id: opened.ownerId }]);
      // The template was installed by rename: no staging copy is left behind.
      expect(readdirSync(dataDir).filter((f) => f.includes('staging'))).toEqual([]);
      expect(backups(dataDir)).toEqual([]);
    } finally {
      await opened.close();
    }
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);
  });

  it('gives every install its own user and clock node, though they share one template; makes missing folders', async () => {
    const nested = join(tempDir('confab-open-'), 'a', 'b', 'c');
    const other = await openAppDatabase({ dataDir: nested, migrationsDir: MIGRATIONS_DIR, templateDir });
    try {
      expect(other.usedTemplate).toBe(true);
      expect(other.ownerId).not.toBe(ownerId);
      // The node id is the device's sync client id: two installs sharing it would be one client.
      const node = await nodeOf(other);
      expect(node).toMatch(/^[0-9a-f]{16}$/);
      expect(node).not.toBe(firstNode);
    } finally {
      await other.close();
    }
    expect(existsSync(join(nested, 'pgdata', 'PG_VERSION'))).toBe(true);
  });

  it('reopens an existing database: not a first run, same user, no snapshot', async () => {
    const opened = await openAppDatabase({ dataDir, migrationsDir: MIGRATIONS_DIR, templateDir });
    try {
      expect(opened).toMatchObject({
        firstRun: false,
        usedTemplate: false,
        ownerId,
        schemaVersion: LATEST,
        snapshot: null,
      });
      // The first open capped the WAL size; it applies from this, the next, open.
      const wal = await opened.db.query<{ max_wal_size: string }>(
        sql`SELECT current_setting('max_wal_size') AS max_wal_size`,
      );
      expect(wal[0]?.max_wal_size).toBe(WAL_LIMITS.max_wal_size);
      await opened.db.query(sql`INSERT INTO ui_state (key, value) VALUES ('marker', '"before upgrade"')`);
    } finally {
      await opened.close();
    }
    expect(backups(dataDir)).toEqual([]);
  });

  it('snapshots an existing database before new migrations, as a loadable tarball', async () => {
    const opened = await openAppDatabase({ dataDir, migrationsDir: migrationsWith(EXTRA1), templateDir });
    let snapshot: string;
    try {
      expect(opened.schemaVersion).toBe(LATEST + 1);
      expect(await versions(opened)).toContain(LATEST + 1);
      expect(opened.snapshot).not.toBeNull();
      snapshot = opened.snapshot!;
    } finally {
      await opened.close();
    }
    expect(snapshot.startsWith(join(dataDir, 'backups'))).toBe(true);
    expect(snapshot).toMatch(new RegExp(`pre-migration-v${LATEST}-to-v${LATEST + 1}-.*\\.tar\\.gz$`));
    expect(backups(dataDir)).toHaveLength(1);

    // The snapshot is the database as it was before the upgrade.
    const restored = await PGlite.create({
      loadDataDir: new Blob([readFileSync(snapshot)]),
      extensions: { pg_trgm },
    });
    try {
      const migrated = await restored.query<{ version: number }>(
        'SELECT version FROM confab_migrations ORDER BY version',
      );
      expect(migrated.rows.map((r) => r.version)).toEqual(REAL.map((m) => m.version));
      expect((await restored.query("SELECT to_regclass('extra_one') AS t")).rows).toEqual([{ t: null }]);
      expect((await restored.query("SELECT value FROM ui_state WHERE key = 'marker'")).rows).toEqual([
        { value: 'before upgrade' },
      ]);
    } finally {
      await restored.close();
    }
  });

  it('keeps only the newest snapshots and leaves other files alone', async () => {
    const dir = join(dataDir, 'backups');
    const old = Date.now() / 1000 - 86_400;
    ['pre-migration-v0-to-v1-a.tar.gz', 'pre-migration-v0-to-v1-b.tar.gz', 'pre-migration-v0-to-v1-c.tar.gz'].forEach(
      (f, i) => {
        writeFileSync(join(dir, f), 'old');
        utimesSync(join(dir, f), old + i, old + i); // a is the oldest, c the newest of these
      },
    );
    writeFileSync(join(dir, 'my-notes.txt'), 'keep me');
    const [previous] = backups(dataDir).filter((f) => f.startsWith(`pre-migration-v${LATEST}-`));

    const opened = await openAppDatabase({
      dataDir,
      migrationsDir: migrationsWith(EXTRA1, EXTRA2),
      templateDir,
      keepSnapshots: 2,
    });
    await opened.close();
    const left = backups(dataDir);
    expect(left).toContain('my-notes.txt');
    const snapshots = left.filter((f) => f.startsWith('pre-migration-'));
    expect(snapshots).toHaveLength(2);
    expect(snapshots).toContain(previous);
    expect(snapshots.some((f) => f.startsWith(`pre-migration-v${LATEST + 1}-to-v${LATEST + 2}-`))).toBe(true);
  });

  it('refuses a database from a newer app, then opens again with the right migrations', async () => {
    const before = backups(dataDir);
    const err = await refusal(openAppDatabase({ dataDir, migrationsDir: MIGRATIONS_DIR, templateDir }));
    expect(err.code).toBe('db_too_new');
    expect(err.message).toMatch(/newer version of Confab/);
    // The lock is released and PGlite closed: the same dir opens again at once.
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);
    expect(backups(dataDir)).toEqual(before);
    const opened = await openAppDatabase({ dataDir, migrationsDir: migrationsWith(EXTRA1, EXTRA2), templateDir });
    try {
      expect(opened.snapshot).toBeNull();
      expect(await versions(opened)).toEqual([...REAL.map((m) => m.version), LATEST + 1, LATEST + 2]);
      const marker = await opened.db.query(sql`SELECT value FROM ui_state WHERE key = 'marker'`);
      expect(marker).toEqual([{ value: 'before upgrade' }]);
    } finally {
      await opened.close();
    }
  });

  it('refuses an edited migration and releases the database', async () => {
    const err = await refusal(
      openAppDatabase({
        dataDir,
        migrationsDir: migrationsWith(EXTRA1, EXTRA2.replace('id int', 'id bigint')),
        templateDir,
      }),
    );
    expect(err.code).toBe('migration_checksum_mismatch');
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);
  });

  it('keeps the pre-migration snapshot and the old schema when a migration fails', async () => {
    const err = await refusal(
      openAppDatabase({
        dataDir,
        migrationsDir: migrationsWith(EXTRA1, EXTRA2, 'CREATE TABLE extra_three (id int); SELECT 1/0;'),
        templateDir,
        keepSnapshots: 10,
      }),
    );
    expect(err.code).toBe('migration_failed');
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);
    expect(backups(dataDir).some((f) => f.startsWith(`pre-migration-v${LATEST + 2}-to-v${LATEST + 3}-`))).toBe(true);
    const opened = await openAppDatabase({ dataDir, migrationsDir: migrationsWith(EXTRA1, EXTRA2), templateDir });
    try {
      expect(opened.schemaVersion).toBe(LATEST + 2);
      expect(await opened.db.query(sql`SELECT to_regclass('extra_three')::text AS t`)).toEqual([{ t: null }]);
    } finally {
      await opened.close();
    }
  });
});
