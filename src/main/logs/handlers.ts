/** logs.*: the app's own log lines, for views that show what jobs and the database did. */
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';

export function logsHandlers(db: DbClient): HandlerSlice<'logs'> {
  return {
    'logs.recent': (i) => db.call('logs.recent', i),
  };
}
