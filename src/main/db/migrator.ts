/**
 * Applies the numbered SQL files in migrations/ (NNNN_name.sql), each in its own transaction,
 * and records them with a SHA-256 checksum. The same files and the same runner are used for
 * PGlite and for a team PostgreSQL.
 *
 * Refusals, each with a sentence the user can act on:
 *  - the database has a migration this app does not know: it was written by a newer Confab;
 *  - an applied migration's file changed: the schema can no longer be trusted to match.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfabError } from '@shared/errors';
import type { Db } from './database';
import { sql } from './sql';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationPlan {
  applied: number[];
  pending: Migration[];
  /** True when the DB already had migrations, so pending ones change an existing schema. */
  isUpgrade: boolean;
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function checksumOf(text: string): string {
  // Line endings are normalised so a checkout with CRLF does not look like an edited file.
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

export function loadMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const match = FILE_RE.exec(file);
      if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${file}`);
      const text = readFileSync(join(dir, file), 'utf8');
      return { version: Number(match[1]), name: match[2]!, sql: text, checksum: checksumOf(text) };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 1..n without gaps; found ${m.version} at ${i + 1}`);
  });
  return migrations;
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS confab_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * A team server is migrated by whichever admin client gets there first, so two may run at once:
 * a transaction-scoped advisory lock serialises them (even `CREATE TABLE IF NOT EXISTS` races on
 * PostgreSQL), and each migration re-checks inside its transaction whether another client has
 * applied it meanwhile. On PGlite there is one connection and the lock is free.
 */
const MIGRATION_LOCK_KEY = 0x636f6e666162; // "confab"

async function lockMigrations(tx: Db): Promise<void> {
  await tx.query(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}::bigint)`);
}

function checksumMismatch(m: Migration, recorded: string): ConfabError {
  return new ConfabError(
    'migration_checksum_mismatch',
    `Schema migration ${String(m.version).padStart(4, '0')}_${m.name} differs from the one applied to this database. ` +
      'Confab will not guess; nothing was changed.',
    { version: m.version, expected: recorded, actual: m.checksum },
  );
}

export async function planMigrations(db: Db, migrations: Migration[]): Promise<MigrationPlan> {
  const rows = await db.transaction(async (tx) => {
    await lockMigrations(tx);
    await tx.exec(CREATE_TABLE);
    return tx.query<{ version: number; name: string; checksum: string }>(
      sql`SELECT version, name, checksum FROM confab_migrations ORDER BY version`,
    );
  });
  const known = new Map(migrations.map((m) => [m.version, m]));
  const newest = migrations.at(-1)?.version ?? 0;
  for (const row of rows) {
    const version = Number(row.version);
    const mine = known.get(version);
    if (!mine) {
      throw new ConfabError(
        'db_too_new',
        `This data was written by a newer version of Confab (schema ${version}, this app knows up to ${newest}). ` +
          'Update Confab to open it; nothing was changed.',
        { dbVersion: version, appVersion: newest },
      );
    }
    if (mine.checksum !== row.checksum) throw checksumMismatch(mine, row.checksum);
  }
  const applied = rows.map((r) => Number(r.version));
  const appliedSet = new Set(applied);
  return {
    applied,
    pending: migrations.filter((m) => !appliedSet.has(m.version)),
    isUpgrade: applied.length > 0,
  };
}

export async function applyMigrations(db: Db, pending: Migration[]): Promise<number[]> {
  const done: number[] = [];
  for (const m of pending) {
    let appliedHere: boolean;
    try {
      appliedHere = await db.transaction(async (tx) => {
        await lockMigrations(tx);
        const existing = await tx.query<{ checksum: string }>(
          sql`SELECT checksum FROM confab_migrations WHERE version = ${m.version}`,
        );
        if (existing[0]) {
          // Another client applied it while we waited for the lock.
          if (existing[0].checksum !== m.checksum) throw checksumMismatch(m, existing[0].checksum);
          return false;
        }
        await tx.exec(m.sql);
        await tx.query(
          sql`INSERT INTO confab_migrations (version, name, checksum) VALUES (${m.version}, ${m.name}, ${m.checksum})`,
        );
        return true;
      });
    } catch (err) {
      if (err instanceof ConfabError) throw err;
      throw new ConfabError(
        'migration_failed',
        `Schema migration ${String(m.version).padStart(4, '0')}_${m.name} failed and was rolled back: ${(err as Error).message}`,
        { version: m.version },
      );
    }
    if (appliedHere) done.push(m.version);
  }
  return done;
}

/** Plans and applies; `beforeUpgrade` runs first when an existing schema is about to change. */
export async function migrate(
  db: Db,
  migrations: Migration[],
  beforeUpgrade?: (plan: MigrationPlan) => Promise<void>,
): Promise<{ applied: number[]; version: number }> {
  const plan = await planMigrations(db, migrations);
  if (plan.pending.length > 0 && plan.isUpgrade && beforeUpgrade) await beforeUpgrade(plan);
  const applied = await applyMigrations(db, plan.pending);
  return { applied, version: migrations.at(-1)?.version ?? 0 };
}
