import type { BranchMessage } from '@shared/types';
import { coalesceByKey } from '../../app/kit/coalesce';
import { hasErrorCode } from '../../app/kit/errors';
import type { LoadStatus } from '../../app/kit/loadable';
import type { SliceCreator } from '../../app/types';
import { mergeNewestPage } from './merge';

export const MESSAGE_PAGE_SIZE = 50;
/** The most a single listNewer call may return (the contract's cap). */
const MAX_REFRESH = 500;

/** A request to bring a message into view and mark it; `seq` makes a repeated jump a new request. */
export interface MessageFocus {
  messageId: string;
  seq: number;
}

/** The shown part of one chat's branch: a paged window, with the shared loading status. */
export interface SessionMessages {
  status: LoadStatus;
  /** The shown branch, oldest first. */
  items: BranchMessage[];
  /** Cursor for messages older than items[0], or null when the root is loaded. */
  nextCursor: string | null;
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
  /** Only chats with an open tab are kept. */
  messages: Record<string, SessionMessages>;
  ensureMessages(sessionId: string): Promise<void>;
  reloadMessages(sessionId: string): Promise<void>;
  loadOlderMessages(sessionId: string): Promise<void>;
  /** After a jump: the next page toward the newest message. */
  loadNewerMessages(sessionId: string): Promise<void>;
  /** Leaves a jumped-to part of a long chat for its newest messages. */
  showNewestMessages(sessionId: string): Promise<void>;
  /**
   * Shows the page around a message (main switches to the message's branch if needed) and asks
   * the list to scroll to it and mark it. Opening its tab is the `jumpToMessage` action's.
   */
  showMessage(sessionId: string, messageId: string): Promise<boolean>;
  /**
   * Shows a message the user just sent at the bottom before main has saved it (a 100 KB paste
   * takes a while to write and index), when the newest messages are the ones shown. The next
   * reload replaces it with the saved one.
   */
  showSentMessage(sessionId: string, message: BranchMessage): void;
  /** The send failed: the message shown ahead of its save goes. */
  dropSentMessage(sessionId: string, messageId: string): void;
  /** A change while the chat is not shown: re-read it when it is shown again. */
  markMessagesStale(sessionId: string): void;
  forgetMessages(sessionIds: readonly string[]): void;
}

const EMPTY: SessionMessages = {
  status: 'loading',
  items: [],
  nextCursor: null,
  loadingOlder: false,
  newerCursor: null,
  loadingNewer: false,
  focus: null,
  stale: false,
};

/** The branch changed under a jumped-to part (another view switched it): start over. */
const isBranchMoved = hasErrorCode('conflict');

export const createMessagesSlice: SliceCreator<MessagesSlice> = (set, get, { api, attempt }) => {
  function update(sessionId: string, patch: (m: SessionMessages) => Partial<SessionMessages>): void {
    set((s) => {
      const current = s.messages[sessionId];
      // The tab was closed while a request was out: do not bring its messages back.
      if (!current) return {};
      return { messages: { ...s.messages, [sessionId]: { ...current, ...patch(current) } } };
    });
  }

  function track(sessionId: string): void {
    if (!get().messages[sessionId]) set((s) => ({ messages: { ...s.messages, [sessionId]: EMPTY } }));
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
   * where they jumped to. Resolves to false when that part is no longer on the shown branch.
   */
  async function refreshInPlace(sessionId: string, current: SessionMessages, seq: number): Promise<boolean | null> {
    const from = Math.max(0, current.items.length - MAX_REFRESH);
    const top = current.items[from];
    if (!top) return false;
    const page = await attempt(
      () =>
        api.messages.listNewer({
          sessionId,
          after: top.parentId,
          limit: Math.min(MAX_REFRESH, current.items.length - from),
        }),
      { expected: isBranchMoved },
    );
    if (!page.ok) return isBranchMoved(page.error) ? false : null;
    if (seq === seqOf(sessionId)) {
      update(sessionId, (m) => ({
        items: [...m.items.slice(0, from), ...page.value.items],
        newerCursor: page.value.nextCursor,
        status: 'ready',
      }));
    }
    return true;
  }

  const reload = coalesceByKey(async (sessionId) => {
    // Only chats someone is showing are loaded; ensureMessages is what starts showing one.
    const current = get().messages[sessionId];
    if (!current) return;
    update(sessionId, () => ({ stale: false }));
    const seq = seqOf(sessionId);
    if (current.newerCursor !== null) {
      const inPlace = await refreshInPlace(sessionId, current, seq);
      if (inPlace === null) return failed(sessionId);
      if (inPlace) return;
    }
    const page = await attempt(() => api.messages.listBranch({ sessionId, limit: MESSAGE_PAGE_SIZE }));
    if (!page.ok) return failed(sessionId);
    if (seq !== seqOf(sessionId)) return;
    update(sessionId, (m) => {
      // The branch moved away from a jumped-to part: start over at the newest page.
      const base = m.newerCursor !== null ? { items: [], nextCursor: null } : m;
      return { ...mergeNewestPage(base, page.value), newerCursor: null, loadingNewer: false, status: 'ready' };
    });
  });

  function failed(sessionId: string): void {
    update(sessionId, (m) => ({ status: m.status === 'ready' ? 'ready' : 'error' }));
  }

  return {
    messages: {},

    async ensureMessages(sessionId) {
      const current = get().messages[sessionId];
      track(sessionId);
      if (!current || current.stale || current.status === 'error') await reload(sessionId);
    },

    reloadMessages: reload,

    async loadOlderMessages(sessionId) {
      const current = get().messages[sessionId];
      const cursor = current?.nextCursor;
      if (!cursor || current.loadingOlder) return;
      update(sessionId, () => ({ loadingOlder: true }));
      const page = await attempt(() => api.messages.listBranch({ sessionId, cursor, limit: MESSAGE_PAGE_SIZE }));
      update(sessionId, (m) => {
        // A reload switched branches meanwhile; this page belongs to the old one.
        if (!page.ok || m.nextCursor !== cursor) return { loadingOlder: false };
        const shown = new Set(m.items.map((i) => i.id));
        return {
          items: [...page.value.items.filter((i) => !shown.has(i.id)), ...m.items],
          nextCursor: page.value.nextCursor,
          loadingOlder: false,
        };
      });
    },

    async loadNewerMessages(sessionId) {
      const current = get().messages[sessionId];
      const after = current?.newerCursor;
      if (!after || current.loadingNewer) return;
      const seq = seqOf(sessionId);
      update(sessionId, () => ({ loadingNewer: true }));
      const page = await attempt(() => api.messages.listNewer({ sessionId, after, limit: MESSAGE_PAGE_SIZE }), {
        expected: isBranchMoved,
      });
      if (!page.ok) {
        update(sessionId, () => ({ loadingNewer: false }));
        // Another view switched branches: what is below is no longer this part's continuation.
        if (isBranchMoved(page.error)) await get().showNewestMessages(sessionId);
        return;
      }
      update(sessionId, (m) => {
        if (m.newerCursor !== after || seq !== seqOf(sessionId)) return { loadingNewer: false };
        const shown = new Set(m.items.map((i) => i.id));
        return {
          items: [...m.items, ...page.value.items.filter((i) => !shown.has(i.id))],
          newerCursor: page.value.nextCursor,
          loadingNewer: false,
        };
      });
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

    async showMessage(sessionId, messageId) {
      track(sessionId);
      const seq = bumpSeq(sessionId);
      const window = await attempt(() => api.messages.locate({ messageId, limit: MESSAGE_PAGE_SIZE }));
      if (!window.ok) {
        update(sessionId, (m) => ({ status: m.items.length > 0 ? 'ready' : 'error' }));
        return false;
      }
      if (seq !== seqOf(sessionId)) return false;
      // A reload that started meanwhile (the jump's own messages.changed) read the old part.
      bumpSeq(sessionId);
      update(sessionId, () => ({
        items: window.value.items,
        nextCursor: window.value.olderCursor,
        newerCursor: window.value.newerCursor,
        loadingOlder: false,
        loadingNewer: false,
        status: 'ready',
        stale: false,
        focus: { messageId: window.value.messageId, seq: ++focusSeq },
      }));
      return true;
    },

    showSentMessage(sessionId, message) {
      update(sessionId, (m) =>
        m.status === 'ready' && m.newerCursor === null ? { items: [...m.items, message] } : {},
      );
    },

    dropSentMessage(sessionId, messageId) {
      update(sessionId, (m) =>
        m.items.some((i) => i.id === messageId) ? { items: m.items.filter((i) => i.id !== messageId) } : {},
      );
    },

    markMessagesStale(sessionId) {
      update(sessionId, () => ({ stale: true }));
    },

    forgetMessages(sessionIds) {
      set((s) => {
        const gone = sessionIds.filter((id) => id in s.messages);
        if (gone.length === 0) return {};
        const messages = { ...s.messages };
        for (const id of gone) delete messages[id];
        return { messages };
      });
    },
  };
};
