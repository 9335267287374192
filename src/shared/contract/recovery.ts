import { z } from 'zod';
import { BACKUP_FILE_PATTERN, type StartupState } from '../startup';
import { empty } from './fields';
import { method } from './spec';

/**
 * Start-up state and the recovery screen (issue 9): the only methods that work while the
 * database cannot be opened. Each action answers with the state it led to.
 */
export const recoveryMethods = {
  'app.startup': method<StartupState>()(empty),
  'recovery.openDataFolder': method<{ opened: boolean }>()(empty),
  /** Moves the current database aside (never deleting it) and starts from this snapshot. */
  'recovery.restoreBackup': method<StartupState>()(
    z.object({ file: z.string().max(200).regex(BACKUP_FILE_PATTERN, 'must name a pre-migration backup') }).strict(),
  ),
  /** Moves the current database aside (never deleting it) and starts with a new one. */
  'recovery.startFresh': method<StartupState>()(empty),
  'recovery.retry': method<StartupState>()(empty),
};

export const recoveryEvents = {};
