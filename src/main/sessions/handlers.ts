/** sessions.*: straight to the DB worker; the change feed announces what each call changed. */
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';

export function sessionsHandlers(db: DbClient): HandlerSlice<'sessions'> {
  return {
    'sessions.create': (i) => db.call('sessions.create', i),
    'sessions.get': (i) => db.call('sessions.get', i),
    'sessions.list': (i) => db.call('sessions.list', i),
    'sessions.rename': (i) => db.call('sessions.rename', i),
    'sessions.update': (i) => db.call('sessions.update', i),
    'sessions.setPinned': (i) => db.call('sessions.setPinned', i),
    'sessions.setArchived': (i) => db.call('sessions.setArchived', i),
    'sessions.trash': (i) => db.call('sessions.trash', i),
    'sessions.restore': (i) => db.call('sessions.restore', i),
    'sessions.purge': (i) => db.call('sessions.purge', i),
    'sessions.emptyTrash': () => db.call('sessions.emptyTrash', undefined),
    'sessions.tags': () => db.call('sessions.tags', undefined),
    'sessions.setCurrentLeaf': async (i) => {
      // Switching to a sibling shows that branch's newest continuation, not the bare sibling.
      const leaf = await db.call('messages.newestLeafUnder', { messageId: i.messageId });
      return db.call('sessions.setCurrentLeaf', { sessionId: i.sessionId, messageId: leaf });
    },
  };
}
