/**
 * A host's start: the core with its database open, or, when the database cannot be opened, a
 * recovery state in which the host keeps running and serves the recovery screen. The hosts
 * (Electron, web) serve `handlers` and `events` of this object for their whole life; a recovery
 * action that succeeds starts the real core and the handler map switches to it.
 */
import { METHOD_NAMES } from '@shared/contract';
import { ConfabError } from '@shared/errors';
import type { StartupProblem, StartupState } from '@shared/startup';
import type { DatabaseReplacement } from '../db/replaceDatabase';
import { backupPath } from '../recovery/backups';
import { createRecoveryHandlers, type RecoveryHandlerMap } from '../recovery/handlers';
import { startupProblem } from '../recovery/problem';
import { startCore, type Core, type StartCoreOptions } from './core';
import type { HandlerMap } from './dispatch';
import { CoreEvents } from './events';

export type StartupOptions = Omit<StartCoreOptions, 'events' | 'replaceWith'>;

/** What a transport serves: the current handler map and the events of whichever core runs. */
export interface ServedApi {
  readonly handlers: HandlerMap;
  readonly events: CoreEvents;
}

export interface AppRuntime extends ServedApi {
  /** The running core; null while in recovery. */
  readonly core: Core | null;
  state(): StartupState;
  /** Called when the database opens after a recovery action (not for a start that just worked). */
  onRecovered(listener: (core: Core) => void): void;
  close(): Promise<void>;
}

const UNAVAILABLE =
  'Confab could not open its database, so this is not available. The recovery screen says what happened and what you can do.';

/** Recovery mode's whole API: the recovery methods, and a clear refusal for everything else. */
function recoveryModeHandlers(recovery: RecoveryHandlerMap): HandlerMap {
  const unavailable = async (): Promise<never> => {
    throw new ConfabError('db_unavailable', UNAVAILABLE);
  };
  const all = Object.fromEntries(METHOD_NAMES.map((name) => [name, unavailable]));
  return { ...all, ...recovery } as HandlerMap;
}

export async function startOrRecover(options: StartupOptions): Promise<AppRuntime> {
  const events = new CoreEvents();
  const recoveredListeners: ((core: Core) => void)[] = [];
  let core: Core | null = null;
  let problem: StartupProblem | null = null;
  /** The recovery action under way: one at a time, and close() waits for it. */
  let acting: Promise<StartupState> | null = null;
  let closing = false;

  const state = (): StartupState =>
    problem ? { state: 'recovery', problem, canOpenDataFolder: options.openFolder !== undefined } : { state: 'ready' };

  async function open(replaceWith?: DatabaseReplacement): Promise<StartupState> {
    try {
      core = await startCore({ ...options, events, replaceWith });
    } catch (err) {
      // The backup itself could not be read and nothing was changed: the problem stands as it was.
      if (err instanceof ConfabError && err.code === 'backup_unreadable') throw err;
      problem = startupProblem(err, options.dataDir);
      return state();
    }
    problem = null;
    return state();
  }

  function act(action: () => Promise<StartupState>): Promise<StartupState> {
    if (closing) return Promise.reject(new ConfabError('db_unavailable', 'Confab is closing.'));
    if (!problem) return Promise.resolve(state());
    if (acting) return Promise.reject(new ConfabError('conflict', 'Confab is already working on it. Wait a moment.'));
    acting = Promise.resolve()
      .then(action)
      .then((next) => {
        if (core) for (const listener of recoveredListeners) listener(core);
        return next;
      })
      .finally(() => {
        acting = null;
      });
    return acting;
  }

  const recoveryHandlers = recoveryModeHandlers(
    createRecoveryHandlers(
      {
        state,
        retry: () => act(() => open()),
        startFresh: () => act(() => open({ kind: 'fresh' })),
        restoreBackup: (file) => act(() => open({ kind: 'snapshot', file: backupPath(options.dataDir, file) })),
      },
      { dataDir: options.dataDir, openFolder: options.openFolder },
    ),
  );

  await open();
  return {
    get handlers() {
      return core?.handlers ?? recoveryHandlers;
    },
    events,
    get core() {
      return core;
    },
    state,
    onRecovered(listener) {
      recoveredListeners.push(listener);
    },
    async close() {
      closing = true;
      await acting?.catch(() => {});
      await core?.close();
    },
  };
}
