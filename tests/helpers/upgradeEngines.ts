/**
 * Every engine an app migration's SQL must run on, each able to open a database migrated only up
 * to a given version (to test an upgrade in place with data written before it): PGlite, and the
 * run's real PostgreSQL servers (embedded 18, the machine's 15 when reachable).
 */
import type { Db } from '../../src/main/db/database';
import { loadMigrations, migrate, type Migration } from '../../src/main/db/migrator';
import { ensureLocalUser } from '../../src/main/db/users/repository';
import { MIGRATIONS_DIR, openTestDb } from './engines';
import { openMigratedServerDb, testServers } from './servers';

/** The app's migrations up to `through` (all of them when not given). */
export const migrationsUpTo = (through?: number): Migration[] =>
  loadMigrations(MIGRATIONS_DIR).filter((m) => through === undefined || m.version <= through);

export interface UpgradeEngine {
  name: string;
  open(through?: number): Promise<{ db: Db; ownerId: string; close(): Promise<void> }>;
}

export async function upgradeEngines(): Promise<UpgradeEngine[]> {
  return [
    {
      name: 'PGlite',
      async open(through?: number) {
        const t = await openTestDb('pglite', { migrate: false });
        await migrate(t.db, migrationsUpTo(through));
        return { db: t.db, ownerId: await ensureLocalUser(t.db), close: t.close };
      },
    },
    ...(await testServers()).map((server) => ({
      name: server.name,
      open: (through?: number) => openMigratedServerDb(server.url, migrationsUpTo(through)),
    })),
  ];
}
