import type { Session, SessionSummary } from '@shared/types';
import { coalesce } from '../../app/kit/coalesce';
import { hasErrorCode } from '../../app/kit/errors';
import { failedStatus, loadingStatus, type LoadStatus } from '../../app/kit/loadable';
import type { AppState, SliceCreator } from '../../app/types';
import { isListedChat } from './listed';

export const SESSION_PAGE_SIZE = 100;
/** The API's upper bound for one page; a refresh never asks for more. */
const MAX_SESSION_PAGE = 500;

export type SessionView = 'active' | 'archived' | 'trash';

export interface TrashUndo {
  id: string;
  title: string;
}

/** The sidebar's list: a paged window over one view, with the shared loading status. */
export interface SessionListState {
  status: LoadStatus;
  /** Sidebar order as the server returns it: pinned first, then newest activity. */
  ids: string[];
  nextCursor: string | null;
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
  /** Moves a chat to the Trash and offers an undo (closing its tab is the `trashChat` action's). */
  trashSession(id: string): Promise<boolean>;
  restoreSession(id: string): Promise<boolean>;
  /** Deletes a chat from the Trash for good. */
  purgeSession(id: string): Promise<boolean>;
  emptyTrash(): Promise<boolean>;
  dismissTrashUndo(): void;
  refreshSessions(): Promise<void>;
  loadMoreSessions(): Promise<void>;
  /** Creates a session. Resolves to it, or null if it failed (the error is shown). */
  createSession(): Promise<Session | null>;
  /** Re-reads sessions by id. Resolves to the ids that no longer exist (purged or in the trash). */
  fetchSessions(ids: readonly string[]): Promise<string[]>;
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
      .filter(
        (s): s is SessionSummary =>
          s !== undefined && s.deletedAt === null && s.status === 'active' && isListedChat(s, null),
      )
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt))
      .slice(0, count)
      .map((s) => s.id)
  );
}

/** A session that was purged, or whose id is not one (a corrupt saved tab), is simply gone. */
const isGone = hasErrorCode('not_found', 'invalid_input');

export const createSessionsSlice: SliceCreator<SessionsSlice> = (set, get, { api, attempt }) => {
  const refresh = coalesce(async () => {
    // Reload as many rows as are already shown so a refresh does not collapse a scrolled list.
    const limit = Math.min(MAX_SESSION_PAGE, Math.max(SESSION_PAGE_SIZE, get().sessionList.ids.length));
    set((s) => ({ sessionList: { ...s.sessionList, status: loadingStatus(s.sessionList.status) } }));
    const { sessionView: view, sessionTag: tag } = get();
    const page = await attempt(() => api.sessions.list({ view, limit, ...(tag ? { tag } : {}) }));
    if (!page.ok) {
      set((s) => ({ sessionList: { ...s.sessionList, status: failedStatus(s.sessionList.status) } }));
      return;
    }
    // The filter changed while this page was on its way; the reload it caused will land.
    if (get().sessionView !== view || get().sessionTag !== tag) return;
    set((s) => ({
      sessionsById: withSessions(s.sessionsById, page.value.items),
      sessionList: {
        ...s.sessionList,
        ids: page.value.items.map((i) => i.id),
        nextCursor: page.value.nextCursor,
        status: 'ready',
      },
    }));
  });

  /** Runs one mutation and refreshes the list (the change event would too; they coalesce). */
  const mutate = async (run: () => Promise<Session | null>): Promise<boolean> => {
    const done = await attempt(run);
    if (!done.ok) return false;
    if (done.value) get().sessionChanged(done.value);
    void refresh();
    return true;
  };

  const switchList = (patch: Partial<Pick<SessionsSlice, 'sessionView' | 'sessionTag'>>) => {
    set({ ...patch, sessionList: { ids: [], nextCursor: null, status: 'loading', loadingMore: false } });
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
      const tags = await attempt(() => api.sessions.tags({}));
      if (tags.ok) set({ sessionTags: tags.value });
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

    purgeSession: (id) =>
      mutate(async () => {
        await api.sessions.purge({ id });
        return null;
      }),

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
      const { sessionView: view, sessionTag: tag } = get();
      const page = await attempt(() =>
        api.sessions.list({ view, limit: SESSION_PAGE_SIZE, cursor, ...(tag ? { tag } : {}) }),
      );
      set((s) => {
        // A refresh that landed meanwhile rebuilt the list; this page may no longer follow it.
        if (!page.ok || s.sessionList.nextCursor !== cursor) {
          return { sessionList: { ...s.sessionList, loadingMore: false } };
        }
        const known = new Set(s.sessionList.ids);
        return {
          sessionsById: withSessions(s.sessionsById, page.value.items),
          sessionList: {
            ...s.sessionList,
            ids: [...s.sessionList.ids, ...page.value.items.map((i) => i.id).filter((id) => !known.has(id))],
            nextCursor: page.value.nextCursor,
            loadingMore: false,
          },
        };
      });
    },

    async createSession() {
      const created = await attempt(() => api.sessions.create({}));
      if (!created.ok) return null;
      set((s) => ({ sessionsById: withSessions(s.sessionsById, [summaryOf(created.value)]) }));
      // The sessions.changed event refreshes too; coalescing makes the two one reload.
      void refresh();
      return created.value;
    },

    async fetchSessions(ids) {
      const results = await Promise.all(ids.map((id) => attempt(() => api.sessions.get({ id }), { expected: isGone })));
      const found: SessionSummary[] = [];
      const gone: string[] = [];
      results.forEach((result, i) => {
        if (result.ok && !result.value.deletedAt) found.push(result.value);
        else if (result.ok || isGone(result.error)) gone.push(ids[i]!);
      });
      set((s) => ({ sessionsById: withSessions(s.sessionsById, found) }));
      return gone;
    },

    sessionChanged(session) {
      set((s) => {
        const known = s.sessionsById[session.id];
        const summary: SessionSummary = known ? { ...known, ...session } : summaryOf(session);
        return { sessionsById: { ...s.sessionsById, [session.id]: summary } };
      });
    },

    async updateSession(id, patch) {
      const updated = await attempt(() => api.sessions.update({ id, ...patch }));
      if (updated.ok) get().sessionChanged(updated.value);
      // A model picked for a chat is the one a new chat starts with: the user's last choice, not
      // a default they set once and forgot.
      if (updated.ok && patch.providerId && patch.model !== undefined) {
        const settings = get().chatSettings.data;
        if (settings?.defaultProviderId !== patch.providerId || settings?.defaultModel !== patch.model) {
          await get().setChatSettings({ defaultProviderId: patch.providerId, defaultModel: patch.model });
        }
      }
      return updated.ok;
    },
  };
};
