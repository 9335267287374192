/**
 * `team init`: brings a team PostgreSQL to this app's schema. First the app's own migrations/
 * (the same files and runner as PGlite), then migrations-server/ (schema sync: change index,
 * push and pull, row-level security, roles), recorded in sync.migrations with checksums. Both
 * sets run under one advisory lock, so two admins (or a retried init) never interleave, and a
 * second run changes nothing. The app itself never migrates a server.
 */
import { resolve } from 'node:path';
import type pg from 'pg';
import { ConfabError } from '@shared/errors';
import { pgDb, type Db } from '../../database';
import { loadMigrations, migrate, type Migration } from '../../migrator';
import { sql } from '../../sql';

export const APP_MIGRATIONS_DIR = resolve(import.meta.dirname, '../../../../../migrations');
export const SERVER_MIGRATIONS_DIR = resolve(import.meta.dirname, '../../../../../migrations-server');

/** "confab-team-init" as a number: the key of the advisory lock held while a server migrates. */
const TEAM_INIT_LOCK_KEY = 0x636f6e666962;

export interface InitResult {
  appApplied: number[];
  serverApplied: number[];
  appVersion: number;
  serverVersion: number;
}

export async function applyServerMigrations(
  client: pg.ClientBase,
  options: { appMigrations?: Migration[]; serverMigrations?: Migration[] } = {},
): Promise<InitResult> {
  const appMigrations = options.appMigrations ?? loadMigrations(APP_MIGRATIONS_DIR);
  const serverMigrations = options.serverMigrations ?? loadMigrations(SERVER_MIGRATIONS_DIR);
  const db = pgDb(client);
  await requireVersion(db);
  // A session-level lock spans both sets (each migration still runs in its own transaction).
  await db.query(sql`SELECT pg_advisory_lock(${TEAM_INIT_LOCK_KEY}::bigint)`);
  try {
    const app = await migrate(db, appMigrations);
    const serverApplied = await applyServerSet(db, serverMigrations);
    await db.query(sql`UPDATE sync.meta SET schema_version = ${app.version}`);
    // Again on every run: a dump restored into a new database gives PUBLIC its default rights
    // back (temporary tables; CREATE on public where the dump came from PostgreSQL 14 or
    // earlier), which server migrations 0016 and 0017 revoked (see their headers). A server set
    // that stops before them (tests of older servers) has nothing to apply.
    if (await hasServerFunction(db, 'lock_down_database')) {
      await db.query(sql`SELECT sync.lock_down_database()`);
    } else if (await hasServerFunction(db, 'revoke_public_temporary')) {
      await db.query(sql`SELECT sync.revoke_public_temporary()`);
    }
    return {
      appApplied: app.applied,
      serverApplied,
      appVersion: app.version,
      serverVersion: serverMigrations.at(-1)?.version ?? 0,
    };
  } finally {
    await db.query(sql`SELECT pg_advisory_unlock(${TEAM_INIT_LOCK_KEY}::bigint)`);
  }
}

async function hasServerFunction(db: Db, name: string): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>(
    sql`SELECT EXISTS (SELECT 1 FROM pg_proc WHERE pronamespace = 'sync'::regnamespace AND proname = ${name}) AS found`,
  );
  return row?.found === true;
}

async function requireVersion(db: Db): Promise<void> {
  const [row] = await db.query<{ v: string }>(sql`SELECT current_setting('server_version_num') AS v`);
  if (Number(row?.v) < 150000) {
    throw new ConfabError('invalid_input', 'Confab team sync needs PostgreSQL 15 or later on the server.', {
      version: row?.v,
    });
  }
}

async function applyServerSet(db: Db, migrations: Migration[]): Promise<number[]> {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS sync;
    CREATE TABLE IF NOT EXISTS sync.migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied = new Map(
    (await db.query<{ version: number; checksum: string }>(sql`SELECT version, checksum FROM sync.migrations`)).map(
      (r) => [Number(r.version), r.checksum],
    ),
  );
  const newest = Math.max(0, ...applied.keys());
  if (newest > (migrations.at(-1)?.version ?? 0)) {
    throw new ConfabError(
      'db_too_new',
      'This team server was set up by a newer Confab. Update Confab, then run team init again.',
      {
        version: newest,
      },
    );
  }
  const done: number[] = [];
  for (const m of migrations) {
    const recorded = applied.get(m.version);
    if (recorded !== undefined) {
      if (recorded !== m.checksum) {
        throw new ConfabError(
          'migration_checksum_mismatch',
          `Server migration ${String(m.version).padStart(4, '0')}_${m.name} differs from the one applied to this server. Nothing was changed.`,
          { version: m.version },
        );
      }
      continue;
    }
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query(
        sql`INSERT INTO sync.migrations (version, name, checksum) VALUES (${m.version}, ${m.name}, ${m.checksum})`,
      );
    });
    done.push(m.version);
  }
  return done;
}
