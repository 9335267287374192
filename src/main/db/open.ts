/**
 * Opening the app database: lock, first-run from a template, migrations with a snapshot before
 * an upgrade, the local user, and crash recovery. Runs inside the DB worker. On the recovery
 * screen's request the database is first replaced (replaceDatabase.ts), the old one kept aside.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgliteDb, type Db } from './database';
import { PGDATA } from './dataDirLayout';
import { keepByteOrderMarkInPglite } from './keepByteOrderMark';
import { acquireDataDirLock } from './lock';
import { loadMigrations, migrate, type MigrationPlan } from './migrator';
import { refuseDatabaseWithoutVersion, replaceDatabase, type DatabaseReplacement } from './replaceDatabase';
import { ensureLocalUser } from './users/repository';

export interface OpenOptions {
  dataDir: string;
  migrationsDir: string;
  /** A pristine PGlite data dir made at build time; copying it skips initdb on first run. */
  templateDir?: string;
  /** How many pre-migration snapshots to keep. */
  keepSnapshots?: number;
  /**
   * The caller already holds the data-dir lock: the main thread takes it before it starts the DB
   * worker, so that a second Confab is refused without booting a database first.
   */
  lockHeld?: boolean;
  /** Recovery: replace the database before opening it; the current one is renamed aside. */
  replaceWith?: DatabaseReplacement;
}

export interface OpenedDatabase {
  pg: PGlite;
  db: Db;
  ownerId: string;
  schemaVersion: number;
  firstRun: boolean;
  usedTemplate: boolean;
  snapshot: string | null;
  /** Where replaceWith moved the previous database folder (null: nothing was moved). */
  setAside: string | null;
  close(): Promise<void>;
}

export { PGDATA };

/**
 * PostgreSQL keeps up to max_wal_size (1 GB by default) of recycled WAL files, so a 100k-message
 * data dir weighed 1.2 GB, 0.96 GB of it WAL. A desktop database needs far less. ALTER SYSTEM
 * writes postgresql.auto.conf, read at the next open; it cannot run in a transaction.
 */
export const WAL_LIMITS = { max_wal_size: '128MB', min_wal_size: '32MB' } as const;

export async function limitWalSize(pg: PGlite): Promise<boolean> {
  const current = await pg.query<{ max_wal_size: string }>('SHOW max_wal_size');
  if (current.rows[0]?.max_wal_size === WAL_LIMITS.max_wal_size) return false;
  await pg.query(`ALTER SYSTEM SET max_wal_size = '${WAL_LIMITS.max_wal_size}'`);
  await pg.query(`ALTER SYSTEM SET min_wal_size = '${WAL_LIMITS.min_wal_size}'`);
  return true;
}

/** `seed`: an uncompressed tarball of a data dir to start from (a restored snapshot). */
export function openPglite(dir: string, seed?: Blob): Promise<PGlite> {
  keepByteOrderMarkInPglite();
  // Strict durability: relaxedDurability is never set, every commit is flushed.
  return PGlite.create(dir, { extensions: { pg_trgm }, ...(seed ? { loadDataDir: seed } : {}) });
}

function hasDatabase(dir: string): boolean {
  return existsSync(join(dir, 'PG_VERSION'));
}

/** Copies the template next to the target and renames it into place, so a crash mid-copy
 * leaves no half-made data dir that would look like a database. */
function installTemplate(templateDir: string, target: string): boolean {
  if (!hasDatabase(templateDir)) return false;
  const staging = `${target}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    cpSync(templateDir, staging, { recursive: true });
  } catch (err) {
    // A copy cut short (a full disk) must not keep holding the space it took.
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  // Only an empty folder is left at `target` here (refuseDatabaseWithoutVersion saw to that).
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return true;
}

async function snapshotBeforeUpgrade(pg: PGlite, dataDir: string, plan: MigrationPlan, keep: number): Promise<string> {
  const dir = join(dataDir, 'backups');
  mkdirSync(dir, { recursive: true });
  const from = Math.max(0, ...plan.applied);
  const to = Math.max(...plan.pending.map((m) => m.version));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `pre-migration-v${from}-to-v${to}-${stamp}.tar.gz`);
  const blob = await pg.dumpDataDir('gzip');
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  const old = readdirSync(dir)
    .filter((f) => f.startsWith('pre-migration-'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(keep);
  for (const { f } of old) rmSync(join(dir, f), { force: true });
  return file;
}

const NEW_HLC_NODE = `UPDATE confab_hlc.node SET id = left(md5(gen_random_uuid()::text || clock_timestamp()::text), 16)`;

export async function openAppDatabase(options: OpenOptions): Promise<OpenedDatabase> {
  mkdirSync(options.dataDir, { recursive: true });
  const release = options.lockHeld ? () => {} : acquireDataDirLock(options.dataDir);
  try {
    const pgdata = join(options.dataDir, PGDATA);
    const setAside = options.replaceWith ? await replaceDatabase(pgdata, options.replaceWith, openPglite) : null;
    refuseDatabaseWithoutVersion(pgdata);
    const firstRun = !hasDatabase(pgdata);
    const usedTemplate = firstRun && !!options.templateDir && installTemplate(options.templateDir, pgdata);
    const pg = await openPglite(pgdata);
    const db = pgliteDb(pg);
    let snapshot: string | null = null;
    let version: number;
    let ownerId: string;
    try {
      const migrations = loadMigrations(options.migrationsDir);
      ({ version } = await migrate(db, migrations, async (plan) => {
        snapshot = await snapshotBeforeUpgrade(pg, options.dataDir, plan, options.keepSnapshots ?? 3);
      }));
      ownerId = await ensureLocalUser(db);
      // Every copy of the template carries the clock node id made when it was built; a device's
      // node id is its sync client id and the tie-break of its HLCs, so each install makes its own.
      if (usedTemplate) await db.exec(NEW_HLC_NODE);
      await limitWalSize(pg);
    } catch (err) {
      await pg.close();
      throw err;
    }
    return {
      pg,
      db,
      ownerId,
      schemaVersion: version,
      firstRun,
      usedTemplate,
      snapshot,
      setAside,
      async close() {
        await pg.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}
