/** search.*: Cmd+K across every chat and Cmd+F within one. */
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';

export function searchHandlers(db: DbClient): HandlerSlice<'search'> {
  return {
    'search.query': (i) => db.call('search.query', i),
    'search.inSession': (i) => db.call('search.inSession', i),
  };
}
