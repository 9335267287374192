import type { BranchMessage, Page } from '@shared/types';
import { coalesceByKey } from './coalesce';
import type { SliceCreator } from './types';

export const MESSAGE_PAGE_SIZE = 50;

export interface SessionMessages {
  /** The shown branch, oldest first. */
  items: BranchMessage[];
  /** Cursor for messages older than items[0], or null when the root is loaded. */
  nextCursor: string | null;
  status: 'loading' | 'ready' | 'error';
  loadingOlder: boolean;
  /** Changed on the server while its tab was in the background; reload when shown. */
  stale: boolean;
}

export interface MessagesSlice {
  /** Only sessions with an open tab are kept. */
  messages: Record<string, SessionMessages>;
  drafts: Record<string, string>;
  ensureMessages(sessionId: string): Promise<void>;
  reloadMessages(sessionId: string): Promise<void>;
  loadOlderMessages(sessionId: string): Promise<void>;
  forgetMessages(sessionId: string): void;
  handleMessagesChanged(sessionId: string): void;
  setDraft(sessionId: string, text: string): void;
  /** Sends the session's draft and starts the reply. Resolves to false if nothing was sent. */
  sendMessage(sessionId: string): Promise<boolean>;
}

const EMPTY: SessionMessages = { items: [], nextCursor: null, status: 'loading', loadingOlder: false, stale: false };

/**
 * Folds a fresh newest page into what is shown. A branch is a path in a tree, so if the page's
 * oldest message is already shown, everything shown before it is that message's ancestry and is
 * still valid: keep it (and its cursor) instead of dropping pages the user scrolled back through.
 */
export function mergeNewestPage(
  current: Pick<SessionMessages, 'items' | 'nextCursor'>,
  page: Page<BranchMessage>,
): Pick<SessionMessages, 'items' | 'nextCursor'> {
  const oldest = page.items[0];
  if (!oldest) return { items: [], nextCursor: null };
  const at = current.items.findIndex((m) => m.id === oldest.id);
  if (at <= 0) return { items: page.items, nextCursor: page.nextCursor };
  return { items: [...current.items.slice(0, at), ...page.items], nextCursor: current.nextCursor };
}

export const createMessagesSlice: SliceCreator<MessagesSlice> = (set, get, api) => {
  function update(sessionId: string, patch: (m: SessionMessages) => Partial<SessionMessages>): void {
    set((s) => {
      const current = s.messages[sessionId];
      // The tab was closed while a request was out: do not bring its messages back.
      if (!current) return {};
      return { messages: { ...s.messages, [sessionId]: { ...current, ...patch(current) } } };
    });
  }

  const reload = coalesceByKey(async (sessionId) => {
    // Only sessions someone is showing are loaded; ensureMessages is what starts showing one.
    if (!get().messages[sessionId]) return;
    update(sessionId, () => ({ stale: false }));
    try {
      const page = await api.messages.listBranch({ sessionId, limit: MESSAGE_PAGE_SIZE });
      update(sessionId, (m) => ({ ...mergeNewestPage(m, page), status: 'ready' }));
    } catch (error) {
      update(sessionId, (m) => ({ status: m.status === 'ready' ? 'ready' : 'error' }));
      get().reportError(error);
    }
  });

  return {
    messages: {},
    drafts: {},

    async ensureMessages(sessionId) {
      const current = get().messages[sessionId];
      if (!current) set((s) => ({ messages: { ...s.messages, [sessionId]: EMPTY } }));
      if (!current || current.stale || current.status === 'error') await reload(sessionId);
    },

    reloadMessages: reload,

    async loadOlderMessages(sessionId) {
      const current = get().messages[sessionId];
      const cursor = current?.nextCursor;
      if (!cursor || current.loadingOlder) return;
      update(sessionId, () => ({ loadingOlder: true }));
      try {
        const page = await api.messages.listBranch({ sessionId, cursor, limit: MESSAGE_PAGE_SIZE });
        update(sessionId, (m) => {
          // A reload switched branches meanwhile; this page belongs to the old one.
          if (m.nextCursor !== cursor) return { loadingOlder: false };
          const shown = new Set(m.items.map((i) => i.id));
          return {
            items: [...page.items.filter((i) => !shown.has(i.id)), ...m.items],
            nextCursor: page.nextCursor,
            loadingOlder: false,
          };
        });
      } catch (error) {
        update(sessionId, () => ({ loadingOlder: false }));
        get().reportError(error);
      }
    },

    forgetMessages(sessionId) {
      set((s) => {
        if (!(sessionId in s.messages)) return {};
        const messages = { ...s.messages };
        delete messages[sessionId];
        return { messages };
      });
    },

    handleMessagesChanged(sessionId) {
      if (!get().messages[sessionId]) return;
      if (get().tabs.active === sessionId) void reload(sessionId);
      else update(sessionId, () => ({ stale: true }));
    },

    setDraft(sessionId, text) {
      set((s) => ({ drafts: { ...s.drafts, [sessionId]: text } }));
    },

    async sendMessage(sessionId) {
      const content = get().drafts[sessionId] ?? '';
      if (content.trim() === '') return false;
      // One reply at a time per chat: the draft stays until this one ends or is stopped.
      if (get().generating[sessionId] !== undefined) return false;
      // Clearing first makes a second Enter a no-op and gives instant feedback.
      get().setDraft(sessionId, '');
      try {
        // Without a provider the message is still saved, with a reply that says what to set up
        // and offers a retry, so nothing typed is lost.
        const { assistantMessage } = await api.chat.send({ sessionId, content });
        get().replyStarted(sessionId, assistantMessage);
      } catch (error) {
        // Give the text back unless the user already started typing something else.
        if ((get().drafts[sessionId] ?? '') === '') get().setDraft(sessionId, content);
        get().reportError(error);
        return false;
      }
      // Do not wait for messages.changed: the event is a hint, this reload is the guarantee.
      await reload(sessionId);
      return true;
    },
  };
};
