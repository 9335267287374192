/**
 * sync.*: the team sync contract. Interim slice while the client engine (issue 13, item 5) is
 * wired in: status answers "off" truthfully; the rest refuse with a sentence.
 */
import { ConfabError } from '@shared/errors';
import type { SyncStatus } from '@shared/types';
import type { HandlerSlice } from '../kit/handlers';

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

export function syncHandlers(): HandlerSlice<'sync'> {
  return {
    'sync.status': async () => OFF_STATUS,
    'sync.test': notYet,
    'sync.connect': notYet,
    'sync.disconnect': async () => OFF_STATUS,
    'sync.now': notYet,
    'sync.useServerVersion': notYet,
    'sync.share': notYet,
    'sync.sharedWith': notYet,
    'sync.teamSessions': async () => [],
    'sync.fork': notYet,
    'sync.teamUsage': async () => ({ enabled: false, rows: [] }),
  };
}
