/** Starting the app's own DB worker on a data dir, as the hosts do. */
import { existsSync } from 'node:fs';
import { startDbWorker, type DbClient } from '../../src/main/db/client';
import type { CorePaths } from '../../src/main/core/core';

export function templateDirIfBuilt(paths: CorePaths): string | undefined {
  return existsSync(paths.templateDir) ? paths.templateDir : undefined;
}

export function openAppDb(paths: CorePaths, dataDir: string): Promise<DbClient> {
  return startDbWorker({
    workerPath: paths.workerPath,
    open: { dataDir, migrationsDir: paths.migrationsDir, templateDir: templateDirIfBuilt(paths) },
  });
}

/** Counts sessions in every sidebar view, to refuse seeding over someone's data. */
export async function hasSessions(db: DbClient): Promise<boolean> {
  for (const view of ['active', 'archived', 'trash'] as const) {
    const page = await db.call('sessions.list', { view, limit: 1 });
    if (page.items.length > 0) return true;
  }
  return false;
}
