/** ui.*: view state kept on this device (open tabs, theme). */
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';

export function uiHandlers(db: DbClient): HandlerSlice<'ui'> {
  return {
    'ui.get': (i) => db.call('ui.get', i),
    'ui.set': (i) => db.call('ui.set', i),
  };
}
