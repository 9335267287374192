/** app.*: what this Confab is and where its data lives. */
import type { AppInfo } from '@shared/types';
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';

export function appHandlers(db: DbClient, info: Omit<AppInfo, 'schemaVersion' | 'engine'>): HandlerSlice<'app'> {
  return {
    'app.info': async () => ({ ...info, schemaVersion: db.info.schemaVersion, engine: 'PGlite (PostgreSQL 18)' }),
  };
}
