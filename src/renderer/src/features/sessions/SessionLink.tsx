import type { MouseEvent } from 'react';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { openChat } from '../workspace/actions';
import { activeChatId } from '../workspace/store';
import { displayTitle } from './sessionTitle';

const MIDDLE_BUTTON = 1;

interface SessionLinkProps {
  sessionId: string;
  className: string;
  showPreview?: boolean;
  testId?: string;
  /** In the sidebar only one row's link is in the Tab order (arrow keys move between rows). */
  tabIndex?: number;
  onFocus?(): void;
}

/**
 * A link rather than a button: opening a chat is navigation, and it keeps untitled rows
 * ("New chat") from sharing a button name with the New chat button.
 */
export function SessionLink({ sessionId, className, showPreview = true, testId, tabIndex, onFocus }: SessionLinkProps) {
  const session = useAppStore((s) => s.sessionsById[sessionId]);
  const isActive = useAppStore((s) => activeChatId(s) === sessionId);
  const app = useAppStoreApi();

  const open = (event: MouseEvent) => {
    // Modified and middle clicks would open a second window onto the same data; keep one app.
    event.preventDefault();
    openChat(app, sessionId, { focusComposer: true });
  };
  // auxclick fires for every button but the primary one, the right button included: a right-click
  // is for the row's menu only, so only the middle button opens the chat.
  const openOnMiddleClick = (event: MouseEvent) => {
    if (event.button === MIDDLE_BUTTON) open(event);
  };

  return (
    <a
      href={`#chat/${sessionId}`}
      className={className}
      data-testid={testId}
      aria-current={isActive ? 'page' : undefined}
      tabIndex={tabIndex}
      onFocus={onFocus}
      onClick={open}
      onAuxClick={openOnMiddleClick}
    >
      <span className="session-link__title">
        {displayTitle(session)}
        {session?.pinned && (
          <span className="session-link__pin">
            <span aria-hidden="true">•</span>
            <span className="visually-hidden"> (pinned)</span>
          </span>
        )}
      </span>
      {showPreview && session?.lastMessagePreview && (
        <span className="session-link__preview">{session.lastMessagePreview}</span>
      )}
    </a>
  );
}
