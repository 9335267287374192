/**
 * What closing the window or quitting asks when changes have not reached the team server (issue
 * 14), kept apart from Electron so it can be checked without a window: null means go without asking.
 */
import type { SyncStatus } from '@shared/types';

export interface PendingQuestion {
  message: string;
  detail: string;
  buttons: ['Sync in background and quit', 'Quit now', 'Cancel'];
}

export function pendingChangesQuestion(status: SyncStatus): PendingQuestion | null {
  if (status.state === 'off' || status.pending === 0) return null;
  const n = status.pending.toLocaleString('en');
  return {
    message: `${n} ${status.pending === 1 ? 'change has' : 'changes have'} not been sent to the team server yet.`,
    detail:
      status.state === 'offline'
        ? 'The server cannot be reached now. Your changes are kept on this device and sent the next time Confab syncs.'
        : 'Either way they are kept on this device. Syncing in the background sends them before Confab quits, so your team sees them now.',
    buttons: ['Sync in background and quit', 'Quit now', 'Cancel'],
  };
}

/** Whether waiting longer would send anything more now (offline and error retry later, on their own). */
export function nothingMoreToSend(status: SyncStatus): boolean {
  return status.pending === 0 || status.state === 'off' || status.state === 'offline' || status.state === 'error';
}
