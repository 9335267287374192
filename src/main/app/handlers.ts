/** app.*: what this Confab is and where its data lives. */
import type { AppInfo } from '@shared/types';
import type { DbClient } from '../db/client';
import type { HandlerMap } from '../kit/handlers';

/** app.startup is the recovery domain's (it answers differently while the database cannot open). */
export function appHandlers(db: DbClient, info: Omit<AppInfo, 'schemaVersion' | 'engine'>): Pick<HandlerMap, 'app.info'> {
  return {
    'app.info': async () => ({ ...info, schemaVersion: db.info.schemaVersion, engine: 'PGlite (PostgreSQL 18)' }),
  };
}
