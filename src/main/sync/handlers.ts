/**
 * sync.*: the team sync contract. This slice answers the device's own sync (status, test,
 * connect, disconnect, now, useServerVersion) through the SyncService. The team methods (share,
 * sharedWith, teamSessions, fork, teamUsage) are another slice (teamHandlers.ts, built on
 * SyncService.withServer).
 */
import type { HandlerSlice } from '../kit/handlers';
import type { SyncService } from './service';

export type DeviceSyncMethods =
  'sync.status' | 'sync.test' | 'sync.connect' | 'sync.disconnect' | 'sync.now' | 'sync.useServerVersion';

export type TeamSyncMethods = Exclude<keyof HandlerSlice<'sync'>, DeviceSyncMethods>;

export function syncHandlers(sync: SyncService): Pick<HandlerSlice<'sync'>, DeviceSyncMethods> {
  return {
    'sync.status': () => sync.statusNow(),
    'sync.test': async ({ url }) => ({ ok: true as const, server: await sync.test(url) }),
    'sync.connect': ({ url }) => sync.connect(url),
    'sync.disconnect': () => sync.disconnect(),
    'sync.now': () => sync.now(),
    'sync.useServerVersion': ({ no }) => sync.useServerVersion(no),
  };
}
