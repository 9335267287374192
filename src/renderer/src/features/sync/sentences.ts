/**
 * What the sync views say: the failure sentences (shared with main, which puts the same one in
 * each SyncError) and a short label per state. The code is what a view branches on.
 */
import { SYNC_ERROR_SENTENCES } from '@shared/sync/sentences';
import type { SyncErrorCode, SyncStatus } from '@shared/types';

const CODES = new Set(Object.keys(SYNC_ERROR_SENTENCES));

/** The SyncErrorCode a failed sync call carries (main puts it in the error's details), if any. */
export function syncCodeOf(error: unknown): SyncErrorCode | null {
  const details = (error as { details?: { sync?: unknown; code?: unknown } } | null)?.details;
  const code = details?.sync ?? details?.code;
  return typeof code === 'string' && CODES.has(code) ? (code as SyncErrorCode) : null;
}

/** The sentence for a failed test or connect: by its code where it has one, else main's own. */
export function syncFailureSentence(error: unknown): string {
  const code = syncCodeOf(error);
  if (code && code !== 'other') return SYNC_ERROR_SENTENCES[code];
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message ? message : SYNC_ERROR_SENTENCES.other;
}

/** "3 changes" / "1 change". */
export const changes = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'change' : 'changes'}`;

/** How long ago, roughly, for "Synced 2 min ago". */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

export function duration(ms: number | null): string {
  if (ms === null) return 'not measured yet';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** The indicator's one line for a state. */
export function statusLine(status: SyncStatus): string {
  switch (status.state) {
    case 'off':
      return 'Not syncing';
    case 'connecting':
      return 'Connecting…';
    case 'syncing':
      return 'Syncing…';
    case 'idle':
      return status.pending > 0 ? `Synced · ${changes(status.pending)} to send` : 'Synced';
    case 'offline':
      return status.pending > 0 ? `Offline · ${changes(status.pending)} kept` : 'Offline';
    case 'waiting':
      return status.waitingFor
        ? `Waiting for a server transaction (pid ${status.waitingFor.pid}, ${status.waitingFor.ageSeconds} s)`
        : 'Waiting for a server transaction';
    case 'error':
      return 'Sync stopped';
  }
}
