import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../app/context';
import { selectRecentSessionIds } from './store';
import { modKeyLabel } from '../workspace/keymap';
import { SessionLink } from './SessionLink';

const RECENT_COUNT = 8;

/** Shown when no tab is open. */
export function StartView() {
  const recent = useAppStore(useShallow((s) => selectRecentSessionIds(s, RECENT_COUNT)));
  return (
    <section className="start-view" aria-labelledby="start-view-title">
      <h1 id="start-view-title">Confab</h1>
      <p className="muted">
        Press <kbd>{modKeyLabel()}</kbd>+<kbd>T</kbd> or the + button to start a new chat.
      </p>
      {recent.length > 0 && (
        <>
          <h2>Recent chats</h2>
          <ul className="recent-list">
            {recent.map((id) => (
              <li key={id}>
                <SessionLink sessionId={id} className="session-link recent-link" />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
