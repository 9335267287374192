/**
 * Shown instead of the app when the host could not open the database: what happened in one
 * sentence, where the data folder is, and the ways out (try again, restore the newest backup,
 * start fresh with the old database kept aside). Each action answers with the host's new state;
 * once the database is open the page reloads into the app.
 */
import { useEffect, useRef, useState } from 'react';
import type { ConfabApi } from '@shared/client';
import type { StartupState } from '@shared/startup';
import { ADVICE, describeBackup, leadingAction } from './problemText';
import './recovery.css';

export type RecoveryState = Extract<StartupState, { state: 'recovery' }>;

type Action = 'retry' | 'restore' | 'fresh';

const WORKING: Record<Action, string> = {
  retry: 'Trying to open the database…',
  restore: 'Restoring the backup… this can take a little while.',
  fresh: 'Setting the old database aside and starting a fresh one…',
};

const STILL_FAILING: Record<Action, string> = {
  retry: 'Confab still cannot open the database.',
  restore: 'The backup was restored, but Confab still cannot open the database.',
  fresh: 'Confab could not start a fresh database.',
};

function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message ? message : 'That did not work.';
}

export interface RecoveryScreenProps {
  api: ConfabApi;
  initial: RecoveryState;
  /** The database is open: load the app. */
  onReady: () => void;
}

export function RecoveryScreen({ api, initial, onReady }: RecoveryScreenProps) {
  const [{ problem, canOpenDataFolder }, setState] = useState(initial);
  const [working, setWorking] = useState<Action | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const newest = problem.backups[0];
  const lead = leadingAction(problem.kind, newest !== undefined);
  // Moving the folder aside cannot work while another Confab holds it.
  const canReplace = problem.kind !== 'locked';

  useEffect(() => {
    document.title = 'Confab – the database cannot be opened';
    // Screen readers start at the explanation, not at the first button.
    heading.current?.focus();
  }, []);

  async function run(action: Action, request: () => Promise<StartupState>): Promise<void> {
    setWorking(action);
    setFailure(null);
    try {
      const next = await request();
      if (next.state === 'ready') {
        onReady();
        return; // the buttons stay disabled until the app replaces this screen
      }
      setState(next);
      setFailure(STILL_FAILING[action]);
    } catch (err) {
      setFailure(messageOf(err));
    }
    setWorking(null);
  }

  const buttonClass = (action: Action) => (action === lead ? 'button button--primary' : 'button');
  const busy = working !== null;

  return (
    <main className="recovery" aria-labelledby="recovery-title">
      <div className="recovery__panel">
        <h1 id="recovery-title" ref={heading} tabIndex={-1}>
          Confab cannot open its database
        </h1>
        <p className="recovery__problem" data-kind={problem.kind}>
          {problem.message}
        </p>
        <p>{ADVICE[problem.kind]}</p>
        {problem.detail && (
          <details className="recovery__detail">
            <summary>Technical details</summary>
            <code>{problem.detail}</code>
          </details>
        )}

        <section className="recovery__section" aria-labelledby="recovery-folder">
          <h2 id="recovery-folder">Your data folder</h2>
          <DataFolder api={api} dataDir={problem.dataDir} canOpen={canOpenDataFolder} />
        </section>

        <section className="recovery__section" aria-labelledby="recovery-actions">
          <h2 id="recovery-actions">What you can do</h2>
          <ul className="recovery__actions">
            <li>
              <button
                type="button"
                className={buttonClass('retry')}
                disabled={busy}
                onClick={() => void run('retry', () => api.recovery.retry({}))}
              >
                Try again
              </button>
              <p className="muted">Once the cause is fixed. Nothing is changed.</p>
            </li>
            <li>
              <button
                type="button"
                className={buttonClass('restore')}
                disabled={busy || !newest || !canReplace}
                aria-describedby="recovery-restore-note"
                onClick={() => newest && void run('restore', () => api.recovery.restoreBackup({ file: newest.file }))}
              >
                Restore the newest backup
              </button>
              <p id="recovery-restore-note" className="muted">
                {newest
                  ? `${describeBackup(newest)} Changes made since then are not in it; the current database is kept aside.`
                  : 'There is no automatic backup yet: Confab makes one before each upgrade.'}
              </p>
            </li>
            <li>
              <button
                type="button"
                className={buttonClass('fresh')}
                disabled={busy || !canReplace}
                aria-describedby="recovery-fresh-note"
                onClick={() => void run('fresh', () => api.recovery.startFresh({}))}
              >
                Start with a fresh database
              </button>
              <p id="recovery-fresh-note" className="muted">
                The current database is renamed to pgdata.broken-… in the data folder. Nothing is deleted.
              </p>
            </li>
          </ul>
        </section>

        <p className="recovery__status" role="status">
          {working ? WORKING[working] : ''}
        </p>
        {failure && (
          <p className="recovery__failure" role="alert">
            {failure}
          </p>
        )}
      </div>
    </main>
  );
}

/** The path, a Copy button, and (in the desktop app) a button that shows the folder. */
function DataFolder({ api, dataDir, canOpen }: { api: ConfabApi; dataDir: string; canOpen: boolean }) {
  const [note, setNote] = useState('');
  const field = useRef<HTMLInputElement>(null);

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(dataDir);
      setNote('Copied.');
    } catch {
      // No clipboard access (an insecure page or a refusal): leave the path selected instead.
      field.current?.select();
      setNote('Selected: press Ctrl+C (Cmd+C on a Mac) to copy it.');
    }
  }

  async function open(): Promise<void> {
    try {
      const { opened } = await api.recovery.openDataFolder({});
      setNote(opened ? '' : 'The folder could not be shown here; copy its path instead.');
    } catch (err) {
      setNote(messageOf(err));
    }
  }

  return (
    <div className="recovery__folder">
      <input
        ref={field}
        className="recovery__path"
        readOnly
        value={dataDir}
        aria-label="Data folder path"
        onFocus={(e) => e.currentTarget.select()}
      />
      <button type="button" className="button" onClick={() => void copy()}>
        Copy
      </button>
      {canOpen && (
        <button type="button" className="button" onClick={() => void open()}>
          Open the data folder
        </button>
      )}
      <span className="muted recovery__note" role="status">
        {note}
      </span>
    </div>
  );
}
