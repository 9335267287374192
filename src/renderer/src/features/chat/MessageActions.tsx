import { useEffect, useState } from 'react';
import type { BranchMessage } from '@shared/types';
import { useAppStore, useAppStoreApi, useAttempt } from '../../app/context';
import { Icon } from '../../ui/Icon';
import { regenerateReply } from './actions';
import { BranchSwitcher } from './BranchSwitcher';
import { describeReplyStats, formatReplyStats } from './format';
import { RETRYABLE } from './messageStatus';
import { ReplyModel } from './ReplyModel';

const COPIED_MS = 1500;

/** Under each message: branch switcher, reply stats, and what can be done with it. */
export function MessageFooter({
  message,
  busy: replying,
  locked = null,
  streaming,
  onEdit,
}: {
  message: BranchMessage;
  busy: boolean;
  /** Why the chat takes no changes (in the Trash, archived), or null. */
  locked?: string | null;
  streaming: boolean;
  onEdit: () => void;
}) {
  const app = useAppStoreApi();
  const deleteMessage = useAppStore((s) => s.deleteMessage);
  const isAssistant = message.role === 'assistant';
  const stats = isAssistant && !streaming ? formatReplyStats(message) : null;
  const retryable = RETRYABLE.has(message.status);
  const busy = replying || locked !== null;
  const busyTitle = locked ?? (replying ? 'Wait for the reply to finish, or stop it' : undefined);

  return (
    <div className="message__footer">
      <BranchSwitcher message={message} />
      {message.siblingCount < 2 && <ReplyModel message={message} />}
      {stats && (
        <span className="message__stats" title={describeReplyStats(message) ?? undefined}>
          {stats}
        </span>
      )}
      {isAssistant && !streaming && (
        <button
          type="button"
          className={retryable ? 'button message__retry' : 'icon-button message__action'}
          aria-label={retryable ? 'Retry' : 'Regenerate'}
          title={busyTitle ?? (retryable ? 'Try again' : 'Write a new answer')}
          disabled={busy}
          onClick={() => void regenerateReply(app, message.sessionId, message.id)}
        >
          {retryable ? 'Retry' : <Icon name="regenerate" />}
        </button>
      )}
      {message.role === 'user' && (
        <button
          type="button"
          className="icon-button message__action"
          aria-label="Edit"
          title={busyTitle ?? 'Edit and send again'}
          disabled={busy}
          onClick={onEdit}
        >
          <Icon name="edit" />
        </button>
      )}
      {!streaming && <CopyButton text={message.content} />}
      {!streaming && (
        <button
          type="button"
          className="icon-button message__action"
          aria-label="Delete"
          title={busyTitle ?? 'Delete this message and what follows it (can be undone)'}
          disabled={busy}
          onClick={() => void deleteMessage(message.sessionId, message.id)}
        >
          <Icon name="trash" />
        </button>
      )}
    </div>
  );
}

/** Copies the message as written (its Markdown source), and says so for a moment. */
function CopyButton({ text }: { text: string }) {
  const attempt = useAttempt();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = async () => {
    if ((await attempt(() => navigator.clipboard.writeText(text))).ok) setCopied(true);
  };
  return (
    <button
      type="button"
      className="icon-button message__action"
      aria-label={copied ? 'Copied' : 'Copy'}
      title={copied ? 'Copied' : 'Copy the text'}
      onClick={() => void copy()}
    >
      <Icon name="copy" />
    </button>
  );
}
