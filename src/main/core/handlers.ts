/**
 * The main-side handler map. Its type is derived from the contract, so the compiler refuses a
 * missing method. Handlers forward to the DB worker and announce changes as events.
 */
import type { AppInfo } from '@shared/types';
import { createDefaultToolkit } from '../chat/defaultToolkit';
import { createChatEngine } from '../chat/engine';
import type { ChatHandlerMap } from '../chat/handlers';
import type { DbClient } from '../db/client';
import type { HandlerMap } from './dispatch';
import type { CoreEvents } from './events';

export interface HandlerDeps {
  db: DbClient;
  events: CoreEvents;
  info: Omit<AppInfo, 'schemaVersion' | 'engine'>;
  /** providers.*, settings.* and chat.*; startCore passes its engine's (with the host's cipher). */
  chat?: ChatHandlerMap;
}

export function createHandlers({ db, events, info, chat }: HandlerDeps): HandlerMap {
  const chatHandlers = chat ?? createChatEngine({ db, events, toolkit: createDefaultToolkit() }).handlers;
  const changed = <T extends { id: string }>(session: T): T => {
    events.emit('sessions.changed', { ids: [session.id] });
    return session;
  };
  return {
    'app.info': async () => ({ ...info, schemaVersion: db.info.schemaVersion, engine: 'PGlite (PostgreSQL 18)' }),

    'sessions.create': async (i) => changed(await db.call('sessions.create', i)),
    'sessions.get': (i) => db.call('sessions.get', i),
    'sessions.list': (i) => db.call('sessions.list', i),
    'sessions.rename': async (i) => changed(await db.call('sessions.rename', i)),
    'sessions.update': async (i) => changed(await db.call('sessions.update', i)),
    'sessions.setPinned': async (i) => changed(await db.call('sessions.setPinned', i)),
    'sessions.setArchived': async (i) => changed(await db.call('sessions.setArchived', i)),
    'sessions.trash': async (i) => changed(await db.call('sessions.trash', i)),
    'sessions.restore': async (i) => changed(await db.call('sessions.restore', i)),
    'sessions.purge': async (i) => {
      const result = await db.call('sessions.purge', i);
      events.emit('sessions.changed', { ids: [i.id] });
      return result;
    },
    'sessions.emptyTrash': async () => {
      const result = await db.call('sessions.emptyTrash', undefined);
      events.emit('sessions.changed', { ids: [] });
      return result;
    },
    'sessions.tags': () => db.call('sessions.tags', undefined),
    'sessions.setCurrentLeaf': async (i) => {
      // Switching to a sibling shows that branch's newest continuation, not the bare sibling.
      const leaf = await db.call('messages.newestLeafUnder', { messageId: i.messageId });
      const session = await db.call('sessions.setCurrentLeaf', { sessionId: i.sessionId, messageId: leaf });
      events.emit('messages.changed', { sessionId: i.sessionId, messageIds: [] });
      return changed(session);
    },

    'messages.append': async (i) => {
      const message = await db.call('messages.append', i);
      events.emit('messages.changed', { sessionId: message.sessionId, messageIds: [message.id] });
      events.emit('sessions.changed', { ids: [message.sessionId] });
      return message;
    },
    'messages.listBranch': (i) => db.call('messages.listBranch', i),
    'messages.path': (i) => db.call('messages.path', i),
    'messages.siblings': (i) => db.call('messages.siblings', i),

    'search.query': (i) => db.call('search.query', i),

    'usage.totals': (i) => db.call('usage.totals', i),
    'usage.daily': (i) => db.call('usage.daily', i),
    'usage.monthly': (i) => db.call('usage.monthly', i),
    'usage.byModel': (i) => db.call('usage.byModel', i),
    'usage.bySession': (i) => db.call('usage.bySession', i),

    'ui.get': (i) => db.call('ui.get', i),
    'ui.set': (i) => db.call('ui.set', i),

    ...chatHandlers,

    'messages.locate': async (i) => {
      const window = await db.call('messages.locate', i);
      if (window.branchChanged) {
        // Like sessions.setCurrentLeaf: other views of this chat follow the switch.
        events.emit('messages.changed', { sessionId: window.sessionId, messageIds: [] });
        events.emit('sessions.changed', { ids: [window.sessionId] });
      }
      return window;
    },
    'messages.listNewer': (i) => db.call('messages.listNewer', i),
    'search.inSession': (i) => db.call('search.inSession', i),
  };
}
