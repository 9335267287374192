/**
 * Opens the same migrated schema on either engine, so one repository suite runs on both.
 *  - pglite: a copy of the run's migrated template (about half a second, no initdb);
 *  - postgres: a fresh database on the run's real server, migrated with the same files.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { pgDb, pgliteDb, type Db } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import { openPglite } from '../../src/main/db/open';
import { ensureLocalUser } from '../../src/main/db/users/repository';
import { createTestDatabase } from './postgres';

export type EngineName = 'pglite' | 'postgres';
export const ENGINES: EngineName[] = ['pglite', 'postgres'];
export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../migrations');

export interface TestDb {
  engine: EngineName;
  db: Db;
  ownerId: string;
  /** The PGlite instance, for PGlite-only checks. */
  pglite?: PGlite;
  dir?: string;
  close(): Promise<void>;
}

/** A copy of the migrated PGlite template in a fresh temp dir (not yet opened). */
export function copyPgliteTemplate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-test-db-'));
  cpSync(inject('pgliteTemplateDir'), join(dir, 'pgdata'), { recursive: true });
  return dir;
}

export async function openTestDb(engine: EngineName, options: { migrate?: boolean } = {}): Promise<TestDb> {
  const shouldMigrate = options.migrate ?? true;
  if (engine === 'pglite') {
    const dir = copyPgliteTemplate();
    if (!shouldMigrate) rmSync(join(dir, 'pgdata'), { recursive: true, force: true });
    const instance = await openPglite(join(dir, 'pgdata'));
    const db = pgliteDb(instance);
    const ownerId = shouldMigrate ? await ensureLocalUser(db) : '';
    return {
      engine,
      db,
      ownerId,
      pglite: instance,
      dir,
      async close() {
        await instance.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createTestDatabase(inject('postgresUrl'));
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const db = pgDb(client);
  if (shouldMigrate) await migrate(db, loadMigrations(MIGRATIONS_DIR));
  const ownerId = shouldMigrate ? await ensureLocalUser(db) : '';
  return {
    engine,
    db,
    ownerId,
    async close() {
      await client.end();
      await database.drop();
    },
  };
}
