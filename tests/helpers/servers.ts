/**
 * The real PostgreSQL servers a schema test runs on: the run's server and, when reachable, a
 * second server of another major version (the system PostgreSQL 15 on the reference machine;
 * CONFAB_TEST_EXTRA_PG_URL overrides, "off" disables), since a team server may run any PG >= 15.
 */
import pg from 'pg';
import { inject } from 'vitest';
import { pgDb, type Db } from '../../src/main/db/database';
import { loadMigrations, migrate, type Migration } from '../../src/main/db/migrator';
import { ensureLocalUser } from '../../src/main/db/users/repository';
import { MIGRATIONS_DIR, openTestDb } from './engines';
import { createTestDatabase } from './postgres';

export async function serverMajor(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Math.floor(Number(rows[0]?.v) / 10000);
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function testServers(): Promise<{ name: string; url: string }[]> {
  const mainUrl = inject('postgresUrl');
  const mainMajor = await serverMajor(mainUrl);
  const extraUrl = process.env.CONFAB_TEST_EXTRA_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const extraMajor = extraUrl === 'off' ? null : await serverMajor(extraUrl);
  return [
    { name: `PostgreSQL ${mainMajor}`, url: mainUrl },
    ...(extraMajor !== null && extraMajor !== mainMajor ? [{ name: `PostgreSQL ${extraMajor}`, url: extraUrl }] : []),
  ];
}

/** A fresh database on `url`, migrated with `migrations` (default: all of the app's). */
export async function openMigratedServerDb(url: string, migrations: Migration[] = loadMigrations(MIGRATIONS_DIR)) {
  const database = await createTestDatabase(url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const db = pgDb(client);
  await migrate(db, migrations);
  const ownerId = await ensureLocalUser(db);
  return {
    db,
    ownerId,
    async close() {
      await client.end();
      await database.drop();
    },
  };
}

/** One place the device's schema (the app's migrations) is opened for a test. */
export interface DeviceSchemaEngine {
  name: string;
  open(): Promise<{ db: Db; ownerId: string; close(): Promise<void> }>;
}

/**
 * The device's schema on PGlite and on every real server of the run (as the superuser the test
 * connects as): for the merge and other app SQL that must give the same rows on both engines.
 */
export async function deviceSchemaEngines(): Promise<DeviceSchemaEngine[]> {
  return [
    {
      name: 'PGlite',
      async open() {
        const t = await openTestDb('pglite');
        return { db: t.db, ownerId: await ensureLocalUser(t.db), close: t.close };
      },
    },
    ...(await testServers()).map((server) => ({ name: server.name, open: () => openMigratedServerDb(server.url) })),
  ];
}
