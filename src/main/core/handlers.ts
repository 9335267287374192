/**
 * The main-side handler map. Its type is derived from the contract, so the compiler refuses a
 * missing method. Handlers forward to the DB worker and announce changes as events.
 */
import type { AppInfo, MessageDeletion } from '@shared/types';
import { createDefaultToolkit } from '../chat/defaultToolkit';
import { createChatEngine } from '../chat/engine';
import type { ChatHandlerMap } from '../chat/handlers';
import type { DbClient } from '../db/client';
import type { HandlerMap } from './dispatch';
import type { CoreEvents } from './events';
import { usageCsvFilename } from '../usage/csv';
import { createReadyStateHandlers, type FolderOpener } from '../recovery/handlers';

/**
 * A host's save dialog: asks where to save `suggestedName`, then writes what `produce` returns.
 * Resolves to the chosen path, or null when the user cancelled.
 */
export type SaveTextFile = (suggestedName: string, produce: () => Promise<string>) => Promise<{ path: string } | null>;

export interface HandlerDeps {
  db: DbClient;
  events: CoreEvents;
  info: Omit<AppInfo, 'schemaVersion' | 'engine'>;
  /** providers.*, settings.* and chat.*; startCore passes its engine's (with the host's cipher). */
  chat?: ChatHandlerMap;
  /** The host's save dialog (Electron); without one, CSV export is a download in the renderer. */
  saveTextFile?: SaveTextFile;
  /** The host's way to show the data folder (Electron); the web host has none. */
  openFolder?: FolderOpener;
}

export function createHandlers({ db, events, info, chat, saveTextFile, openFolder }: HandlerDeps): HandlerMap {
  const chatHandlers = chat ?? createChatEngine({ db, events, toolkit: createDefaultToolkit() }).handlers;
  const changed = <T extends { id: string }>(session: T): T => {
    events.emit('sessions.changed', { ids: [session.id] });
    return session;
  };
  const announceDeletion = (result: MessageDeletion): MessageDeletion => {
    events.emit('messages.changed', { sessionId: result.sessionId, messageIds: result.deletedIds });
    events.emit('sessions.changed', { ids: [result.sessionId] });
    return result;
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
    'messages.delete': async (i) => announceDeletion(await db.call('messages.delete', i)),
    'messages.restore': async (i) => announceDeletion(await db.call('messages.restore', i)),

    'search.query': (i) => db.call('search.query', i),

    'usage.totals': (i) => db.call('usage.totals', i),
    'usage.daily': (i) => db.call('usage.daily', i),
    'usage.monthly': (i) => db.call('usage.monthly', i),
    'usage.byModel': (i) => db.call('usage.byModel', i),
    'usage.bySession': (i) => db.call('usage.bySession', i),

    'usage.dashboard': (i) => db.call('usage.dashboard', i),
    'usage.session': (i) => db.call('usage.session', i),
    'usage.failedRuns': (i) => {
      const to = new Date();
      const from = new Date(to.getTime() - i.hours * 3_600_000);
      return db.call('usage.failedRuns', { from: from.toISOString(), to: to.toISOString(), limit: i.limit });
    },
    'usage.exportCsv': (i) => db.call('usage.exportCsv', i),
    'usage.saveCsv': async (i) => {
      if (!saveTextFile) return { status: 'unavailable' };
      const saved = await saveTextFile(usageCsvFilename(i), async () => (await db.call('usage.exportCsv', i)).csv);
      return saved ? { status: 'saved', path: saved.path } : { status: 'cancelled' };
    },
    'usage.getSettings': () => db.call('usage.getSettings', undefined),
    'usage.setSettings': (i) => db.call('usage.setSettings', i),

    'prices.list': () => db.call('prices.list', undefined),
    'prices.set': (i) => db.call('prices.set', i),
    'prices.delete': (i) => db.call('prices.delete', i),

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

    ...createReadyStateHandlers({ dataDir: info.dataDir, openFolder }),
  };
}
