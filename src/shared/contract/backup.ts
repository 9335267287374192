import { z } from 'zod';
import type { BackupInfoEntry, RestoreReport } from '../types/export';
import { empty } from './fields';
import { method } from './spec';

export const backupMethods = {
  /** The backups in the data folder, newest first, and where that folder is. */
  'backup.list': method<{ dataDir: string; backups: BackupInfoEntry[] }>()(empty),
  /** Backs up every synced and local table now (a job; writes pause, the UI stays live). */
  'backup.create': method<BackupInfoEntry>()(empty),
  /**
   * Restores a backup: takes a backup first. 'merge' (default) adds what is missing, keeps rows
   * newer here and deletes nothing; 'replace' (only after the user confirmed it) makes the data
   * what the backup holds. Refuses a damaged file or one from a newer Confab.
   */
  'backup.restore': method<RestoreReport>()(
    z
      .object({
        file: z
          .string()
          .min(1)
          .max(200)
          .regex(/^[\w.-]+$/, 'must be a backup file name'),
        mode: z.enum(['merge', 'replace']).default('merge'),
      })
      .strict(),
  ),
};

export const backupEvents = {};
