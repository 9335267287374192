import { memo } from 'react';
import type { BranchMessage, MessageRole } from '@shared/types';

const ROLE_LABELS: Record<MessageRole, string> = {
  user: 'You',
  assistant: 'Assistant',
  system: 'System',
  tool: 'Tool',
};

/**
 * Content is model output or user text: untrusted. It is rendered as a React text node only
 * (never as HTML), and `pre-wrap` keeps its line breaks.
 */
export const MessageItem = memo(function MessageItem({ message }: { message: BranchMessage }) {
  return (
    <article
      data-testid="message"
      data-role={message.role}
      data-status={message.status}
      aria-label={ROLE_LABELS[message.role]}
      className={`message message--${message.role}`}
    >
      <div className="message__content">{message.content}</div>
      {message.status === 'error' && message.errorMessage && <p className="message__error">{message.errorMessage}</p>}
    </article>
  );
});
