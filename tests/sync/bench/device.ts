/**
 * A fresh device for the sync bench scripts: a migrated PGlite with its local user, in a temp dir
 * that close() removes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteDb, type Db } from '../../../src/main/db/database';
import { loadMigrations, migrate } from '../../../src/main/db/migrator';
import { openPglite } from '../../../src/main/db/open';
import { APP_MIGRATIONS_DIR } from '../../../src/main/db/sync/admin/serverMigrations';
import { ensureLocalUser } from '../../../src/main/db/users/repository';

export async function freshDevice(): Promise<{ db: Db; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'confab-sync-bench-'));
  const instance = await openPglite(join(dir, 'pgdata'));
  const db = pgliteDb(instance);
  await migrate(db, loadMigrations(APP_MIGRATIONS_DIR));
  await ensureLocalUser(db);
  return {
    db,
    async close() {
      await instance.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
