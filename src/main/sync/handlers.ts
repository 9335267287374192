/**
 * sync.*: the team sync contract. Interim slice while the client engine (issue 13, item 5) is
 * wired in: status answers "off" truthfully; the rest refuse with a sentence.
 */
import { ConfabError } from '@shared/errors';
import type { SyncStatus } from '@shared/types';
import type { HandlerSlice } from '../kit/handlers';
import type { TeamMethod } from './teamHandlers';
import type { WithServer } from './teamServer';

export const OFF_STATUS: SyncStatus = {
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

const notYet = () => {
  throw new ConfabError('db_unavailable', 'Team sync is not available in this build yet.');
};

/** Until the sync service lends its connection: every server question says sync is not connected. */
export const notConnected: WithServer = () =>
  Promise.reject(new ConfabError('db_unavailable', 'Connect to a team server first (Settings \u2192 Team sync).'));

/** The team methods (share, sharedWith, teamSessions, fork, teamUsage) are in teamHandlers.ts. */
export function syncHandlers(): Omit<HandlerSlice<'sync'>, TeamMethod> {
  return {
    'sync.status': async () => OFF_STATUS,
    'sync.test': notYet,
    'sync.connect': notYet,
    'sync.disconnect': async () => OFF_STATUS,
    'sync.now': notYet,
    'sync.useServerVersion': notYet,
  };
}
