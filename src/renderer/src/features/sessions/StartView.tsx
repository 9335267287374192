import { Fragment } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { bindingKeys } from '../../app/commands/keys';
import { commandById } from '../../app/commands/registry';
import { useAppStore } from '../../app/context';
import { FirstRunNotice } from '../providers/FirstRunNotice';
import { selectRecentSessionIds } from './store';
import { SessionLink } from './SessionLink';

const RECENT_COUNT = 8;

/** Shown when no tab is open. */
export function StartView() {
  const recent = useAppStore(useShallow((s) => selectRecentSessionIds(s, RECENT_COUNT)));
  const newChatKeys = bindingKeys(commandById('chat.new').keys![0]!);
  return (
    <section className="start-view" aria-labelledby="start-view-title">
      <h1 id="start-view-title">Confab</h1>
      <p className="muted">
        Press{' '}
        {newChatKeys.map((key, i) => (
          <Fragment key={key}>
            {i > 0 && '+'}
            <kbd>{key}</kbd>
          </Fragment>
        ))}{' '}
        or the + button to start a new chat.
      </p>
      <FirstRunNotice />
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
