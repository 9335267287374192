/**
 * What the recovery screen says beyond the host's one-sentence diagnosis: what the user can do
 * about each kind of problem, and how backups are described.
 */
import type { BackupInfo, StartupProblemKind } from '@shared/startup';

export const ADVICE: Readonly<Record<StartupProblemKind, string>> = {
  corrupt:
    'Restore the newest backup, or start with a fresh database. Either way the damaged files stay in the data folder.',
  unreadable: 'Make sure your user account owns the data folder and may read and write it, then try again.',
  disk_full: 'Free some space on that disk, then try again.',
  read_only: 'Make the folder writable again (or move it to a writable disk), then try again.',
  too_new:
    'Update Confab to open it. Restoring a backup from before the upgrade also works, but loses what the newer version saved.',
  checksum: 'Install the Confab version that made this database, or restore a backup.',
  locked:
    'Close the other Confab (a window, or a web host started with npm run web) that uses this folder, then try again.',
  unknown: 'Try again. If it keeps failing, restore a backup or start with a fresh database.',
};

/** Kinds that waiting or fixing the computer cures: nothing to replace, so "Try again" leads. */
const FIXED_OUTSIDE_CONFAB: ReadonlySet<StartupProblemKind> = new Set([
  'unreadable',
  'disk_full',
  'read_only',
  'locked',
]);

/** The action the screen puts first: the one most likely to get the user back to their chats. */
export function leadingAction(kind: StartupProblemKind, hasBackup: boolean): 'retry' | 'restore' | 'fresh' {
  if (FIXED_OUTSIDE_CONFAB.has(kind)) return 'retry';
  if (kind === 'corrupt') return hasBackup ? 'restore' : 'fresh';
  if (kind === 'checksum' && hasBackup) return 'restore';
  return 'retry';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function describeBackup(backup: BackupInfo): string {
  const when = new Date(backup.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return `Made on ${when} (${formatBytes(backup.sizeBytes)}), before an upgrade of Confab.`;
}
