import type { BranchMessage, Page } from '@shared/types';
import { coalesceByKey } from '../../app/kit/coalesce';
import type { SliceCreator } from '../../app/types';
import { errorCodeOf } from '../../app/ui';

export const MESSAGE_PAGE_SIZE = 50;
/** The most a single listNewer call may return (the contract's cap). */
const MAX_REFRESH = 500;

/** A request to bring a message into view and mark it; `seq` makes a repeated jump a new request. */
export interface MessageFocus {
  messageId: string;
  seq: number;
}

export interface SessionMessages {
  /** The shown branch, oldest first. */
  items: BranchMessage[];
  /** Cursor for messages older than items[0], or null when the root is loaded. */
  nextCursor: string | null;
  status: 'loading' | 'ready' | 'error';
  loadingOlder: boolean;
  /**
   * After a jump the shown part may stop short of the leaf: the `after` for the next newer page,
   * or null when the newest message is loaded.
   */
  newerCursor: string | null;
  loadingNewer: boolean;
  /** The message the list should scroll to and mark (a jump or a find hit). */
  focus: MessageFocus | null;
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
  /** After a jump: the next page toward the newest message. */
  loadNewerMessages(sessionId: string): Promise<void>;
  /** Leaves a jumped-to part of a long chat for its newest messages. */
  showNewestMessages(sessionId: string): Promise<void>;
  /**
   * Opens (or shows) the chat's tab, loads the page around the message (switching to the
   * message's branch if needed), and asks the list to scroll to it and mark it.
   */
  jumpToMessage(sessionId: string, messageId: string): Promise<boolean>;
  forgetMessages(sessionId: string): void;
  handleMessagesChanged(sessionId: string): void;
  setDraft(sessionId: string, text: string): void;
  /** Sends the session's draft and starts the reply. Resolves to false if nothing was sent. */
  sendMessage(sessionId: string): Promise<boolean>;
}

const EMPTY: SessionMessages = {
  items: [],
  nextCursor: null,
  status: 'loading',
  loadingOlder: false,
  newerCursor: null,
  loadingNewer: false,
  focus: null,
  stale: false,
};

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

  /**
   * Bumped whenever the shown part is replaced wholesale (a jump, leaving for the newest page), so
   * a reload that was already under way cannot put the old part back.
   */
  const windowSeq = new Map<string, number>();
  const seqOf = (sessionId: string) => windowSeq.get(sessionId) ?? 0;
  const bumpSeq = (sessionId: string) => {
    const next = seqOf(sessionId) + 1;
    windowSeq.set(sessionId, next);
    return next;
  };
  let focusSeq = 0;

  /**
   * A part that stops short of the leaf is re-read in place (from its top down, as far as it
   * reached), so a reply finishing or a branch switch elsewhere does not yank the reader away from
   * where they jumped to. Returns false when that part is no longer on the shown branch.
   */
  async function refreshInPlace(sessionId: string, current: SessionMessages, seq: number): Promise<boolean> {
    const from = Math.max(0, current.items.length - MAX_REFRESH);
    const top = current.items[from];
    if (!top) return false;
    try {
      const page = await api.messages.listNewer({
        sessionId,
        after: top.parentId,
        limit: Math.min(MAX_REFRESH, current.items.length - from),
      });
      if (seq !== seqOf(sessionId)) return true;
      update(sessionId, (m) => ({
        items: [...m.items.slice(0, from), ...page.items],
        newerCursor: page.nextCursor,
        status: 'ready',
      }));
      return true;
    } catch (error) {
      if (errorCodeOf(error) === 'conflict') return false;
      throw error;
    }
  }

  const reload = coalesceByKey(async (sessionId) => {
    // Only sessions someone is showing are loaded; ensureMessages is what starts showing one.
    const current = get().messages[sessionId];
    if (!current) return;
    update(sessionId, () => ({ stale: false }));
    const seq = seqOf(sessionId);
    try {
      if (current.newerCursor !== null && (await refreshInPlace(sessionId, current, seq))) return;
      const page = await api.messages.listBranch({ sessionId, limit: MESSAGE_PAGE_SIZE });
      if (seq !== seqOf(sessionId)) return;
      update(sessionId, (m) => {
        // The branch moved away from a jumped-to part: start over at the newest page.
        const base = m.newerCursor !== null ? { items: [], nextCursor: null } : m;
        return { ...mergeNewestPage(base, page), newerCursor: null, loadingNewer: false, status: 'ready' };
      });
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

    async loadNewerMessages(sessionId) {
      const current = get().messages[sessionId];
      const after = current?.newerCursor;
      if (!after || current.loadingNewer) return;
      const seq = seqOf(sessionId);
      update(sessionId, () => ({ loadingNewer: true }));
      try {
        const page = await api.messages.listNewer({ sessionId, after, limit: MESSAGE_PAGE_SIZE });
        update(sessionId, (m) => {
          if (m.newerCursor !== after || seq !== seqOf(sessionId)) return { loadingNewer: false };
          const shown = new Set(m.items.map((i) => i.id));
          return {
            items: [...m.items, ...page.items.filter((i) => !shown.has(i.id))],
            newerCursor: page.nextCursor,
            loadingNewer: false,
          };
        });
      } catch (error) {
        update(sessionId, () => ({ loadingNewer: false }));
        // Another view switched branches: what is below is no longer this part's continuation.
        if (errorCodeOf(error) === 'conflict') await get().showNewestMessages(sessionId);
        else get().reportError(error);
      }
    },

    async showNewestMessages(sessionId) {
      const current = get().messages[sessionId];
      if (!current) return;
      if (current.newerCursor !== null) {
        bumpSeq(sessionId);
        update(sessionId, () => ({ items: [], nextCursor: null, newerCursor: null, loadingNewer: false, focus: null }));
      }
      await reload(sessionId);
    },

    async jumpToMessage(sessionId, messageId) {
      if (!get().messages[sessionId]) set((s) => ({ messages: { ...s.messages, [sessionId]: EMPTY } }));
      // A chat the sidebar has not listed (an archived one, found by search) needs its summary for the tab.
      if (!get().sessionsById[sessionId]) void get().fetchSessions([sessionId]);
      get().openTab(sessionId);
      const seq = bumpSeq(sessionId);
      try {
        const window = await api.messages.locate({ messageId, limit: MESSAGE_PAGE_SIZE });
        if (seq !== seqOf(sessionId)) return false;
        // A reload that started meanwhile (the jump's own messages.changed) read the old part.
        bumpSeq(sessionId);
        update(sessionId, () => ({
          items: window.items,
          nextCursor: window.olderCursor,
          newerCursor: window.newerCursor,
          loadingOlder: false,
          loadingNewer: false,
          status: 'ready',
          stale: false,
          focus: { messageId: window.messageId, seq: ++focusSeq },
        }));
        return true;
      } catch (error) {
        update(sessionId, (m) => ({ status: m.items.length > 0 ? 'ready' : 'error' }));
        get().reportError(error);
        return false;
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
      // Do not wait for messages.changed: the event is a hint, this reload is the guarantee. A
      // reader deep in a jumped-to part is taken to the bottom, where their message is.
      await get().showNewestMessages(sessionId);
      return true;
    },
  };
};
