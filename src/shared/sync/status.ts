import type { SyncStatus } from '../types';

/** Where sync stands on a device that is not linked to a team server (also before the first answer). */
export function syncStatusOff(): SyncStatus {
  return {
    state: 'off',
    url: null,
    server: null,
    pending: 0,
    lastSyncedAt: null,
    lagMs: null,
    waitingFor: null,
    progress: null,
    rejected: [],
    error: null,
    nextAttemptAt: null,
  };
}
