import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { BranchMessage, MessageRole } from '@shared/types';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { editMessage, LOCAL_MESSAGE_PREFIX } from './actions';
import { FoldedMarkdown } from './FoldedMarkdown';
import { MessageFooter } from './MessageActions';
import { MessageMarkdown } from './MessageMarkdown';
import { RETRYABLE } from './messageStatus';
import { MessageAttachments } from '../attachments/MessageAttachments';
import { MessageToolCalls } from '../tools/MessageToolCalls';
import { readOnlyReason } from './readOnly';
import { isTeamChat } from '../sync/store';

const TEAM_READ_ONLY = 'This chat was shared by a teammate and is read-only here.';

const ROLE_LABELS: Record<MessageRole, string> = {
  user: 'You',
  assistant: 'Assistant',
  system: 'System',
  tool: 'Tool',
};

/**
 * Content is model output or user text: untrusted. It is rendered as Markdown with raw HTML off
 * and only http/https/mailto links (see MessageMarkdown), never as HTML.
 */
export const MessageItem = memo(function MessageItem({
  message,
  notSent = false,
}: {
  message: BranchMessage;
  /** A turn that failed: later requests leave it out, and the reader is told so. */
  notSent?: boolean;
}) {
  const streamed = useAppStore((s) => s.streams[message.id]?.text);
  const streamedReasoning = useAppStore((s) => s.streams[message.id]?.reasoning);
  const busy = useAppStore((s) => s.generating[message.sessionId] !== undefined);
  const locked = useAppStore(
    (s) =>
      readOnlyReason(s.sessionsById[message.sessionId]) ?? (isTeamChat(s, message.sessionId) ? TEAM_READ_ONLY : null),
  );
  const [editing, setEditing] = useState(false);
  const streaming = message.status === 'streaming' || message.status === 'pending';
  // Watched while it was written: it stays unfolded when it ends.
  const [startedStreaming] = useState(streaming);
  const content = streamed ?? message.content;
  const reasoning = streamedReasoning ?? message.reasoning;

  return (
    <article
      data-testid="message"
      data-role={message.role}
      data-status={message.status}
      aria-label={ROLE_LABELS[message.role]}
      aria-busy={streaming || undefined}
      className={`message message--${message.role}`}
    >
      {reasoning !== '' && !editing && <Reasoning text={reasoning} thinking={streaming && content === ''} />}
      {editing ? (
        <MessageEditor message={message} onClose={() => setEditing(false)} />
      ) : (
        <div className="message__content" data-testid="message-content">
          {streaming ? (
            <MessageMarkdown content={content} />
          ) : (
            <FoldedMarkdown content={content} startOpen={startedStreaming} />
          )}
          {streaming && <span className="message__cursor" aria-hidden="true" />}
        </div>
      )}
      <MessageAttachments messageId={message.id} />
      <MessageToolCalls message={message} />
      {streaming && content === '' && reasoning === '' && <p className="message__note muted">Writing…</p>}
      {message.status === 'cancelled' && <p className="message__note muted">Stopped</p>}
      {RETRYABLE.has(message.status) && (
        <div className="message__error">
          <p>{message.errorMessage ?? 'This reply did not finish.'}</p>
          {message.errorCode === 'no_provider' && <SetUpProviderButton />}
        </div>
      )}
      {notSent && !streaming && (
        <p
          className="message__note message__not-sent muted"
          title="This turn failed, so later messages are sent without it. Retry its reply to include it."
        >
          Not sent to the model
        </p>
      )}
      {!editing && !message.id.startsWith(LOCAL_MESSAGE_PREFIX) && (
        <MessageFooter
          message={message}
          busy={busy}
          locked={locked}
          streaming={streaming}
          onEdit={() => setEditing(true)}
        />
      )}
    </article>
  );
});

/**
 * What a reasoning model thought before answering: folded by default, apart from the answer (it is
 * never sent back to the model either).
 */
function Reasoning({ text, thinking }: { text: string; thinking: boolean }) {
  return (
    <details className="message__reasoning" data-testid="reasoning">
      <summary>{thinking ? 'Reasoning…' : 'Reasoning'}</summary>
      <div className="message__reasoning-text">
        <MessageMarkdown content={text} />
      </div>
    </details>
  );
}

function SetUpProviderButton() {
  const openSettings = useAppStore((s) => s.openSettings);
  return (
    <button type="button" className="button button--link" onClick={openSettings}>
      Set up a provider
    </button>
  );
}

/** Edits a user message in place; saving sends the new text as a sibling and answers it. */
function MessageEditor({ message, onClose }: { message: BranchMessage; onClose: () => void }) {
  const app = useAppStoreApi();
  const busy = useAppStore((s) => s.generating[message.sessionId] !== undefined);
  const [text, setText] = useState(message.content);
  const [saving, setSaving] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  const save = async () => {
    if (saving || busy || text.trim() === '') return;
    if (text === message.content) return onClose();
    setSaving(true);
    const ok = await editMessage(app, message.sessionId, message.id, text);
    setSaving(false);
    if (ok) onClose();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      // Esc here cancels the edit; it must not also stop a reply.
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void save();
  };

  return (
    <div className="message-editor">
      <textarea
        ref={ref}
        className="message-editor__input"
        aria-label="Edit message"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="message-editor__actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button--primary"
          disabled={saving || busy || text.trim() === ''}
          onClick={() => void save()}
        >
          Save and send
        </button>
      </div>
    </div>
  );
}
