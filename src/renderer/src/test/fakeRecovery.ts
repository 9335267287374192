/**
 * The start-up part of the fake API: the state app.startup answers, and what each recovery
 * action leads to (by default the database opens).
 */
import type { MethodName, MethodOutput, ParsedInput } from '@shared/contract';
import type { StartupProblem, StartupState } from '@shared/startup';

type RecoveryMethod = Extract<MethodName, 'app.startup' | `recovery.${string}`>;
type RecoveryHandlers = { [K in RecoveryMethod]?: (input: ParsedInput<K>) => MethodOutput<K> };

export function recoveryState(problem: Partial<StartupProblem> = {}, canOpenDataFolder = false): StartupState {
  return {
    state: 'recovery',
    canOpenDataFolder,
    problem: {
      kind: 'corrupt',
      message: 'The database files are damaged, so Confab cannot open them.',
      detail: 'Aborted().',
      dataDir: '/home/me/.config/Confab',
      backups: [],
      ...problem,
    },
  };
}

export class FakeRecovery {
  state: StartupState = { state: 'ready' };
  /** The state the next recovery action leads to. */
  outcome: StartupState = { state: 'ready' };
  readonly opened: string[] = [];

  readonly handlers: RecoveryHandlers = {
    'app.startup': () => this.state,
    'recovery.openDataFolder': () => {
      const canOpen = this.state.state === 'recovery' && this.state.canOpenDataFolder;
      if (canOpen && this.state.state === 'recovery') this.opened.push(this.state.problem.dataDir);
      return { opened: canOpen };
    },
    'recovery.retry': () => this.act(),
    'recovery.startFresh': () => this.act(),
    'recovery.restoreBackup': () => this.act(),
  };

  private act(): StartupState {
    this.state = this.outcome;
    return this.state;
  }
}
