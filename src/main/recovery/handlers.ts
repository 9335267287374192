/**
 * The contract's app.startup and recovery.* methods. While the database cannot be opened they
 * are the whole API (core/startup.ts answers every other method with db_unavailable); once it is
 * open, the core's handler map serves the ready-state versions below.
 */
import type { MethodName } from '@shared/contract';
import { ConfabError } from '@shared/errors';
import type { StartupState } from '@shared/startup';
import type { HandlerMap } from '../kit/handlers';

export type RecoveryMethod = Extract<MethodName, 'app.startup' | `recovery.${string}`>;
export type RecoveryHandlerMap = Pick<HandlerMap, RecoveryMethod>;

/** Shows a folder in the OS file manager (Electron's shell.openPath); rejects with the reason. */
export type FolderOpener = (path: string) => Promise<void>;

export interface RecoveryActions {
  state(): StartupState;
  retry(): Promise<StartupState>;
  startFresh(): Promise<StartupState>;
  restoreBackup(file: string): Promise<StartupState>;
}

async function openDataFolder(dataDir: string, openFolder: FolderOpener | undefined): Promise<{ opened: boolean }> {
  // A browser cannot open folders: the web host has no opener, and the page offers a Copy button.
  if (!openFolder) return { opened: false };
  try {
    await openFolder(dataDir);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfabError('not_found', `The folder ${dataDir} could not be opened: ${why}`);
  }
  return { opened: true };
}

export function createRecoveryHandlers(
  actions: RecoveryActions,
  folder: { dataDir: string; openFolder?: FolderOpener },
): RecoveryHandlerMap {
  return {
    'app.startup': async () => actions.state(),
    'recovery.openDataFolder': () => openDataFolder(folder.dataDir, folder.openFolder),
    'recovery.restoreBackup': (i) => actions.restoreBackup(i.file),
    'recovery.startFresh': () => actions.startFresh(),
    'recovery.retry': () => actions.retry(),
  };
}

/** With the database open there is nothing to recover, and nothing may be moved aside. */
export function createReadyStateHandlers(folder: { dataDir: string; openFolder?: FolderOpener }): RecoveryHandlerMap {
  const ready = async (): Promise<StartupState> => ({ state: 'ready' });
  const refuse = async (): Promise<never> => {
    throw new ConfabError('conflict', 'The database is open and working, so there is nothing to recover.');
  };
  return createRecoveryHandlers(
    { state: () => ({ state: 'ready' }), retry: ready, startFresh: refuse, restoreBackup: refuse },
    folder,
  );
}
