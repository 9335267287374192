import type { Session, SessionSummary } from '@shared/types';
import { coalesce } from './coalesce';
import type { AppState, SliceCreator } from './types';
import { errorCodeOf } from './ui';

export const SESSION_PAGE_SIZE = 100;
/** The API's upper bound for one page; a refresh never asks for more. */
const MAX_SESSION_PAGE = 500;

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
  return state.sessionList.ids
    .map((id) => state.sessionsById[id])
    .filter((s): s is SessionSummary => s !== undefined)
    .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt))
    .slice(0, count)
    .map((s) => s.id);
}

export const createSessionsSlice: SliceCreator<SessionsSlice> = (set, get, api) => {
  const refresh = coalesce(async () => {
    // Reload as many rows as are already shown so a refresh does not collapse a scrolled list.
    const limit = Math.min(MAX_SESSION_PAGE, Math.max(SESSION_PAGE_SIZE, get().sessionList.ids.length));
    set((s) => ({ sessionList: { ...s.sessionList, status: s.sessionList.status === 'ready' ? 'ready' : 'loading' } }));
    try {
      const page = await api.sessions.list({ view: 'active', limit });
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

  return {
    sessionsById: {},
    sessionList: { ids: [], nextCursor: null, status: 'idle', loadingMore: false },

    refreshSessions: refresh,

    async loadMoreSessions() {
      const { nextCursor: cursor, loadingMore } = get().sessionList;
      if (!cursor || loadingMore) return;
      set((s) => ({ sessionList: { ...s.sessionList, loadingMore: true } }));
      try {
        const page = await api.sessions.list({ view: 'active', limit: SESSION_PAGE_SIZE, cursor });
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
      const stale = get().tabs.open.filter((id) => !listed.has(id) && (affected === null || affected.has(id)));
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
