/**
 * The sync slice: where team sync stands (fed by sync.status and its event), the Settings
 * section's calls, teammates' shared chats, who a chat is shared with, and team usage.
 */
import type { ConfabApi } from '@shared/client';
import type { SyncMember, SyncServerInfo, SyncStatus, TeamSessionSummary, TeamUsage } from '@shared/types';
import { failed, idle, loading, ready, type Loadable } from '../../app/kit/loadable';
import type { AppStore, SliceCreator } from '../../app/types';
import { syncFailureSentence } from './sentences';

export type SyncCheck = { ok: true; server: SyncServerInfo } | { ok: false; sentence: string };

export interface SyncSlice {
  /** Null until the first answer. */
  syncStatus: SyncStatus | null;
  syncDetailOpen: boolean;
  /** Set by a Disconnect that went through, so the form can say local data stayed. */
  syncJustDisconnected: boolean;
  teamSessions: Loadable<TeamSessionSummary[]>;
  sharedWith: Record<string, Loadable<SyncMember[]>>;
  teamUsage: Loadable<TeamUsage>;
  /** The Usage view shows the team table instead of this device's dashboard. */
  usageTeamShown: boolean;
  /** Why team usage could not be read (not connected, server down), as a sentence. */
  teamUsageProblem: string | null;
  loadSyncStatus(): Promise<void>;
  syncStatusChanged(status: SyncStatus): void;
  openSyncDetail(): void;
  closeSyncDetail(): void;
  /** Tries a connection string without keeping it. Never reports: the section shows the sentence. */
  testSyncUrl(url: string): Promise<SyncCheck>;
  connectSync(url: string): Promise<SyncCheck>;
  disconnectSync(): Promise<boolean>;
  syncNow(): Promise<void>;
  useServerVersion(no: number): Promise<void>;
  loadTeamSessions(): Promise<void>;
  setChatShared(sessionId: string, shared: boolean): Promise<boolean>;
  /** "Continue in my copy": resolves to the new chat's id, or null (the error is shown). */
  forkTeamSession(sessionId: string): Promise<string | null>;
  loadSharedWith(sessionId: string): Promise<void>;
  showTeamUsage(shown: boolean): void;
  loadTeamUsage(from: string, to: string): Promise<void>;
}

async function checked(run: () => Promise<SyncServerInfo>): Promise<SyncCheck> {
  try {
    return { ok: true, server: await run() };
  } catch (error) {
    return { ok: false, sentence: syncFailureSentence(error) };
  }
}

export const createSyncSlice: SliceCreator<SyncSlice> = (set, get, { api, attempt }) => {
  // A reload asked for while one runs is folded into one more after it (a pull announces many changes).
  let teamLoad: Promise<void> | null = null;
  let teamLoadAgain = false;
  let usageRequest = 0;

  const readTeamSessions = async () => {
    set((s) => ({ teamSessions: loading(s.teamSessions) }));
    try {
      const sessions = await api.sync.teamSessions({ limit: 500 });
      set((s) => {
        const byId = { ...s.sessionsById };
        for (const session of sessions) byId[session.id] = session;
        return { teamSessions: ready(sessions), sessionsById: byId };
      });
    } catch {
      set((s) => ({ teamSessions: failed(s.teamSessions) }));
    }
  };

  return {
    syncStatus: null,
    syncDetailOpen: false,
    syncJustDisconnected: false,
    teamSessions: idle(),
    sharedWith: {},
    teamUsage: idle(),
    usageTeamShown: false,
    teamUsageProblem: null,

    async loadSyncStatus() {
      try {
        get().syncStatusChanged(await api.sync.status({}));
      } catch {
        // The indicator keeps what it showed; the next event brings the truth.
      }
    },

    syncStatusChanged(status) {
      set({ syncStatus: status });
    },

    openSyncDetail: () => set({ syncDetailOpen: true }),
    closeSyncDetail: () => set({ syncDetailOpen: false }),

    testSyncUrl: (url) => checked(async () => (await api.sync.test({ url })).server),

    async connectSync(url) {
      set({ syncJustDisconnected: false });
      const result = await checked(async () => {
        const status = await api.sync.connect({ url });
        get().syncStatusChanged(status);
        if (!status.server) throw new Error('connected without a server');
        return status.server;
      });
      return result;
    },

    async disconnectSync() {
      const done = await attempt(() => api.sync.disconnect({}));
      if (done.ok) {
        set({ syncJustDisconnected: true });
        get().syncStatusChanged(done.value);
      }
      return done.ok;
    },

    async syncNow() {
      const done = await attempt(() => api.sync.now({}));
      if (done.ok) get().syncStatusChanged(done.value);
    },

    async useServerVersion(no) {
      const done = await attempt(() => api.sync.useServerVersion({ no }));
      if (done.ok) get().syncStatusChanged(done.value);
    },

    async loadTeamSessions() {
      if (teamLoad) {
        teamLoadAgain = true;
        return teamLoad;
      }
      teamLoad = (async () => {
        do {
          teamLoadAgain = false;
          await readTeamSessions();
        } while (teamLoadAgain);
      })();
      try {
        await teamLoad;
      } finally {
        teamLoad = null;
      }
    },

    async setChatShared(sessionId, shared) {
      const done = await attempt(() => api.sync.share({ sessionId, shared }));
      if (!done.ok) return false;
      const session = get().sessionsById[sessionId];
      if (session) {
        set((s) => ({
          sessionsById: { ...s.sessionsById, [sessionId]: { ...session, visibility: shared ? 'team' : 'private' } },
        }));
      }
      await get().loadSharedWith(sessionId);
      return true;
    },

    async forkTeamSession(sessionId) {
      const done = await attempt(() => api.sync.fork({ sessionId }));
      if (!done.ok) return null;
      await get().fetchSessions([done.value.sessionId]);
      void get().refreshSessions();
      return done.value.sessionId;
    },

    async loadSharedWith(sessionId) {
      const current = get().sharedWith[sessionId] ?? idle<SyncMember[]>();
      set((s) => ({ sharedWith: { ...s.sharedWith, [sessionId]: loading(current) } }));
      try {
        const members = await api.sync.sharedWith({ sessionId });
        set((s) => ({ sharedWith: { ...s.sharedWith, [sessionId]: ready(members) } }));
      } catch {
        // Offline or not connected: who it is shared with is simply not known now.
        set((s) => ({ sharedWith: { ...s.sharedWith, [sessionId]: failed(current) } }));
      }
    },

    showTeamUsage: (shown) => set({ usageTeamShown: shown }),

    async loadTeamUsage(from, to) {
      const request = ++usageRequest;
      set((s) => ({ teamUsage: loading(s.teamUsage, 'reload'), teamUsageProblem: null }));
      try {
        const usage = await api.sync.teamUsage({ from, to });
        if (request === usageRequest) set({ teamUsage: ready(usage) });
      } catch (error) {
        if (request !== usageRequest) return;
        set((s) => ({ teamUsage: failed(s.teamUsage, 'reload'), teamUsageProblem: syncFailureSentence(error) }));
      }
    },
  };
};

/** Whether a chat is a teammate's, shown read-only here (as listed by sync.teamSessions). */
export function isTeamChat(state: Pick<SyncSlice, 'teamSessions'>, sessionId: string): boolean {
  return state.teamSessions.data?.some((s) => s.id === sessionId) ?? false;
}

/** Binds the slice to main's events: the status event, and changes that may add or remove team chats. */
export function watchSync(api: ConfabApi, app: AppStore): (() => void)[] {
  void app.getState().loadSyncStatus();
  void app.getState().loadTeamSessions();
  return [
    api.on('sync.status', (status) => app.getState().syncStatusChanged(status)),
    api.on('sessions.changed', () => void app.getState().loadTeamSessions()),
  ];
}
