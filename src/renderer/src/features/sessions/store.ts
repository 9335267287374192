import type { Session, SessionSummary } from '@shared/types';
import { coalesce } from '../../app/kit/coalesce';
import { isViewTab } from '../workspace/store';
import type { AppState, SliceCreator } from '../../app/types';
import { errorCodeOf } from '../../app/ui';

export const SESSION_PAGE_SIZE = 100;
/** The API's upper bound for one page; a refresh never asks for more. */
const MAX_SESSION_PAGE = 500;

export type SessionView = 'active' | 'archived' | 'trash';

export interface TrashUndo {
  id: string;
  title: string;
}

export interface SessionListState {
  /** Sidebar order as the server returns it: pinned first, then newest activity. */
  ids: string[];
  nextCursor: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  loadingMore: boolean;
}

export interface SessionsSlice {
  /** Every session we know about, including open tabs that are not on a loaded sidebar page. */
  sessionsById: Record<string, SessionSummary>;
  sessionList: SessionListState;
  /** Which sidebar list is shown, and the tag it is narrowed to (null: every tag). */
  sessionView: SessionView;
  sessionTag: string | null;
  /** Tags in use, for the tag filter. */
  sessionTags: { tag: string; count: number }[];
  /** The last chat moved to the Trash, while its undo toast is up. */
  trashUndo: TrashUndo | null;
  setSessionView(view: SessionView): void;
  setSessionTag(tag: string | null): void;
  loadSessionTags(): Promise<void>;
  renameSession(id: string, title: string): Promise<boolean>;
  setSessionPinned(id: string, pinned: boolean): Promise<boolean>;
  setSessionArchived(id: string, archived: boolean): Promise<boolean>;
  setSessionTags(id: string, tags: string[]): Promise<boolean>;
  /** Moves a chat to the Trash, closes its tab and offers an undo. */
  trashSession(id: string): Promise<boolean>;
  restoreSession(id: string): Promise<boolean>;
  /** Deletes a chat from the Trash for good. */
  purgeSession(id: string): Promise<boolean>;
  emptyTrash(): Promise<boolean>;
  dismissTrashUndo(): void;
  refreshSessions(): Promise<void>;
  loadMoreSessions(): Promise<void>;
  /** Creates a session and opens it in a tab. Resolves to its id, or null if it failed. */
  createSession(): Promise<string | null>;
  /** Re-reads sessions by id. Resolves to the ids that no longer exist (purged or in the trash). */
  fetchSessions(ids: readonly string[]): Promise<string[]>;
  handleSessionsChanged(ids: readonly string[]): Promise<void>;
  /** Folds a session the API returned into what is shown, keeping the list's preview fields. */
  sessionChanged(session: Session): void;
  /** Saves a chat's model or system prompt. Resolves to false if it failed (the error is shown). */
  updateSession(
    id: string,
    patch: { providerId?: string | null; model?: string | null; systemPrompt?: string },
  ): Promise<boolean>;
}

function summaryOf(session: Session): SessionSummary {
  return { ...session, lastMessagePreview: null, lastMessageRole: null };
}

function withSessions(
  byId: Record<string, SessionSummary>,
  sessions: readonly SessionSummary[],
): Record<string, SessionSummary> {
  if (sessions.length === 0) return byId;
  const next = { ...byId };
  for (const s of sessions) next[s.id] = s;
  return next;
}

/** Loaded sessions by latest activity, ignoring pins: what "recent" means on the start view. */
export function selectRecentSessionIds(state: AppState, count: number): string[] {
  return (
    state.sessionList.ids
      .map((id) => state.sessionsById[id])
      // The sidebar may be showing the archive or the Trash; "recent" means active chats only.
      .filter((s): s is SessionSummary => s !== undefined && s.deletedAt === null && s.status === 'active')
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt))
      .slice(0, count)
      .map((s) => s.id)
  );
}

export const createSessionsSlice: SliceCreator<SessionsSlice> = (set, get, api) => {
  const refresh = coalesce(async () => {
    // Reload as many rows as are already shown so a refresh does not collapse a scrolled list.
    const limit = Math.min(MAX_SESSION_PAGE, Math.max(SESSION_PAGE_SIZE, get().sessionList.ids.length));
    set((s) => ({ sessionList: { ...s.sessionList, status: s.sessionList.status === 'ready' ? 'ready' : 'loading' } }));
    try {
      const { sessionView: view, sessionTag: tag } = get();
      const page = await api.sessions.list({ view, limit, ...(tag ? { tag } : {}) });
      // The filter changed while this page was on its way; the reload it caused will land.
      if (get().sessionView !== view || get().sessionTag !== tag) return;
      set((s) => ({
        sessionsById: withSessions(s.sessionsById, page.items),
        sessionList: {
          ...s.sessionList,
          ids: page.items.map((i) => i.id),
          nextCursor: page.nextCursor,
          status: 'ready',
        },
      }));
    } catch (error) {
      set((s) => ({ sessionList: { ...s.sessionList, status: s.sessionList.status === 'ready' ? 'ready' : 'error' } }));
      get().reportError(error);
    }
  });

  /** Runs one mutation; the sessions.changed event it causes refreshes the list. */
  const mutate = async (run: () => Promise<Session | null>): Promise<boolean> => {
    try {
      const session = await run();
      if (session) get().sessionChanged(session);
      void refresh();
      return true;
    } catch (error) {
      get().reportError(error);
      return false;
    }
  };

  const switchList = (patch: Partial<Pick<SessionsSlice, 'sessionView' | 'sessionTag'>>) => {
    set((s) => ({
      ...patch,
      sessionList: { ids: [], nextCursor: null, status: 'loading', loadingMore: false },
      sessionsById: s.sessionsById,
    }));
    void refresh();
  };

  return {
    sessionsById: {},
    sessionList: { ids: [], nextCursor: null, status: 'idle', loadingMore: false },
    sessionView: 'active',
    sessionTag: null,
    sessionTags: [],
    trashUndo: null,

    refreshSessions: refresh,

    setSessionView(view) {
      if (view !== get().sessionView) switchList({ sessionView: view });
    },

    setSessionTag(tag) {
      if (tag !== get().sessionTag) switchList({ sessionTag: tag });
    },

    async loadSessionTags() {
      try {
        const tags = await api.sessions.tags({});
        set({ sessionTags: tags });
      } catch (error) {
        get().reportError(error);
      }
    },

    renameSession: (id, title) => mutate(() => api.sessions.rename({ id, title })),
    setSessionPinned: (id, pinned) => mutate(() => api.sessions.setPinned({ id, pinned })),
    setSessionArchived: (id, archived) => mutate(() => api.sessions.setArchived({ id, archived })),
    async setSessionTags(id, tags) {
      const ok = await mutate(() => api.sessions.update({ id, tags }));
      if (ok) void get().loadSessionTags();
      return ok;
    },

    async trashSession(id) {
      const ok = await mutate(() => api.sessions.trash({ id }));
      if (ok) {
        get().dropTabs([id]);
        set((s) => ({
          trashUndo: { id, title: s.sessionsById[id]?.title ?? '' },
          sessionList: { ...s.sessionList, ids: s.sessionList.ids.filter((i) => i !== id) },
        }));
      }
      return ok;
    },

    async restoreSession(id) {
      const ok = await mutate(() => api.sessions.restore({ id }));
      if (ok) set((s) => (s.trashUndo?.id === id ? { trashUndo: null } : {}));
      return ok;
    },

    async purgeSession(id) {
      return mutate(async () => {
        await api.sessions.purge({ id });
        get().dropTabs([id]);
        return null;
      });
    },

    emptyTrash: () =>
      mutate(async () => {
        await api.sessions.emptyTrash({});
        return null;
      }),

    dismissTrashUndo() {
      set({ trashUndo: null });
    },

    async loadMoreSessions() {
      const { nextCursor: cursor, loadingMore } = get().sessionList;
      if (!cursor || loadingMore) return;
      set((s) => ({ sessionList: { ...s.sessionList, loadingMore: true } }));
      try {
        const { sessionView: view, sessionTag: tag } = get();
        const page = await api.sessions.list({ view, limit: SESSION_PAGE_SIZE, cursor, ...(tag ? { tag } : {}) });
        set((s) => {
          // A refresh that landed meanwhile rebuilt the list; this page may no longer follow it.
          if (s.sessionList.nextCursor !== cursor) return { sessionList: { ...s.sessionList, loadingMore: false } };
          const known = new Set(s.sessionList.ids);
          return {
            sessionsById: withSessions(s.sessionsById, page.items),
            sessionList: {
              ...s.sessionList,
              ids: [...s.sessionList.ids, ...page.items.map((i) => i.id).filter((id) => !known.has(id))],
              nextCursor: page.nextCursor,
              loadingMore: false,
            },
          };
        });
      } catch (error) {
        set((s) => ({ sessionList: { ...s.sessionList, loadingMore: false } }));
        get().reportError(error);
      }
    },

    async createSession() {
      try {
        const session = await api.sessions.create({});
        set((s) => ({ sessionsById: withSessions(s.sessionsById, [summaryOf(session)]) }));
        get().openTab(session.id, { focusComposer: true });
        // The sessions.changed event refreshes too; coalescing makes the two one reload.
        void get().refreshSessions();
        return session.id;
      } catch (error) {
        get().reportError(error);
        return null;
      }
    },

    async fetchSessions(ids) {
      const results = await Promise.allSettled(ids.map((id) => api.sessions.get({ id })));
      const found: SessionSummary[] = [];
      const gone: string[] = [];
      let unexpected: unknown = null;
      results.forEach((result, i) => {
        const id = ids[i]!;
        if (result.status === 'fulfilled') {
          if (result.value.deletedAt) gone.push(id);
          else found.push(result.value);
        } else if (['not_found', 'invalid_input'].includes(errorCodeOf(result.reason) ?? '')) {
          gone.push(id);
        } else {
          unexpected ??= result.reason;
        }
      });
      set((s) => ({ sessionsById: withSessions(s.sessionsById, found) }));
      if (unexpected !== null) get().reportError(unexpected);
      return gone;
    },

    async handleSessionsChanged(ids) {
      await get().refreshSessions();
      // Open tabs can show sessions that are not on a loaded sidebar page (archived, or far down
      // the list); re-read those so their titles stay right and closed-for-good ones go away.
      const listed = new Set(get().sessionList.ids);
      const affected = ids.length === 0 ? null : new Set(ids);
      const stale = get().tabs.open.filter(
        (id) => !isViewTab(id) && !listed.has(id) && (affected === null || affected.has(id)),
      );
      if (stale.length === 0) return;
      const gone = await get().fetchSessions(stale);
      if (gone.length > 0) get().dropTabs(gone);
    },

    sessionChanged(session) {
      set((s) => {
        const known = s.sessionsById[session.id];
        const summary: SessionSummary = known ? { ...known, ...session } : summaryOf(session);
        return { sessionsById: { ...s.sessionsById, [session.id]: summary } };
      });
    },

    async updateSession(id, patch) {
      try {
        get().sessionChanged(await api.sessions.update({ id, ...patch }));
        return true;
      } catch (error) {
        get().reportError(error);
        return false;
      }
    },
  };
};
