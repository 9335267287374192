/**
 * Export, backup and restore from the main thread's side: each is a job in the DB worker (export
 * pauses writes for a consistent file; restore merges), started here with the paths and
 * versions only main knows. Exports and backups carry the attachments' bytes from the blob
 * store; a restore puts them back there. A restore and an import take a backup first, so that the undo of
 * either is "restore the backup taken just before".
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportResult, RestoreReport } from '@shared/types/export';
import type { BackupInfoEntry } from '@shared/types/export';
import type { DbClient, JobHandle } from '../db/client';
import { blobsDirOf } from '../attachments/blobStore';
import { applyRetention, backupFileName, BACKUPS_DIR, listBackupFiles, type BackupReason } from './files';
import { scheduleRepeating } from '@shared/schedule';

export const EXPORTS_DIR = 'exports';
const DAY_MS = 86_400_000;

export interface DataService {
  exportConfab(sessionIds: string[] | null): Promise<ExportResult>;
  backup(reason: BackupReason): Promise<BackupInfoEntry>;
  restore(path: string, mode?: 'merge' | 'replace'): Promise<RestoreReport>;
  /** The restore job alone (the caller has taken its backup). */
  startRestore(path: string, mode?: 'merge' | 'replace'): JobHandle<RestoreReport>;
  /** Takes a daily backup while the app runs (checked hourly); returns a stop function. */
  scheduleDaily(checkEveryMs?: number): () => void;
}

export function createDataService(db: DbClient, dataDir: string, appVersion: string): DataService {
  const runExport = (path: string, sessionIds: string[] | null) =>
    db.startJob('export', {
      path,
      sessionIds,
      appVersion,
      schemaVersion: db.info.schemaVersion,
      blobsDir: blobsDirOf(dataDir),
    }).result;

  const service: DataService = {
    async exportConfab(sessionIds) {
      await mkdir(join(dataDir, EXPORTS_DIR), { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return runExport(join(dataDir, EXPORTS_DIR, `confab-export-${stamp}.jsonl`), sessionIds);
    },
    async backup(reason) {
      await mkdir(join(dataDir, BACKUPS_DIR), { recursive: true });
      const file = backupFileName(reason);
      await runExport(join(dataDir, BACKUPS_DIR, file), null);
      applyRetention(dataDir);
      return listBackupFiles(dataDir).find((b) => b.file === file)!;
    },
    async restore(path, mode = 'merge') {
      await service.backup('pre-restore');
      return service.startRestore(path, mode).result;
    },
    startRestore: (path, mode = 'merge') =>
      db.startJob('restore', { path, schemaVersion: db.info.schemaVersion, mode, blobsDir: blobsDirOf(dataDir) }),
    scheduleDaily(checkEveryMs = 3_600_000) {
      // Checked hourly: a laptop asleep at the daily moment still gets its backup once it wakes.
      return scheduleRepeating(
        async () => {
          const newest = listBackupFiles(dataDir).find((b) => b.reason === 'daily');
          if (newest && Date.now() - Date.parse(newest.createdAt) < DAY_MS) return;
          await service.backup('daily');
        },
        {
          firstDelayMs: checkEveryMs,
          intervalMs: checkEveryMs,
          onError: (err: unknown) => console.error('[backup] the daily backup failed', err),
        },
      );
    },
  };
  return service;
}
