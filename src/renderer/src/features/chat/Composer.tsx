import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { sendMessage, stopReply } from './actions';
import { ComposerAttachments, useComposerFiles } from '../attachments/ComposerAttachments';
import { readOnlyReason } from './readOnly';
import { isTeamChat } from '../sync/store';
import { TeamChatNote } from '../sync/TeamChatNote';

/** A teammate's shared chat takes no messages here: a note and "Continue in my copy" stand in. */
export function Composer({ sessionId }: { sessionId: string }) {
  const teamChat = useAppStore((s) => isTeamChat(s, sessionId));
  return teamChat ? <TeamChatNote sessionId={sessionId} /> : <OwnComposer sessionId={sessionId} />;
}

function OwnComposer({ sessionId }: { sessionId: string }) {
  const draft = useAppStore((s) => s.drafts[sessionId] ?? '');
  const setDraft = useAppStore((s) => s.setDraft);
  const app = useAppStoreApi();
  const reply = useAppStore((s) => s.generating[sessionId]);
  const generating = reply !== undefined;
  const focusRequested = useAppStore((s) => s.composerFocusFor === sessionId);
  const composerFocused = useAppStore((s) => s.composerFocused);
  const [sending, setSending] = useState(false);
  // The reply Stop was pressed for; a later reply gets a fresh Stop button.
  const [stoppedReply, setStoppedReply] = useState<string | null | undefined>(undefined);
  const stopping = generating && stoppedReply === reply;
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const readOnly = useAppStore((s) => readOnlyReason(s.sessionsById[sessionId]));

  useDraftKept(sessionId);

  useEffect(() => {
    if (!focusRequested) return;
    inputRef.current?.focus();
    composerFocused(sessionId);
  }, [focusRequested, composerFocused, sessionId]);

  const send = async () => {
    if (sending || generating || readOnly) return;
    setSending(true);
    try {
      await sendMessage(app, sessionId);
    } finally {
      setSending(false);
    }
    inputRef.current?.focus();
  };

  const stop = () => {
    setStoppedReply(reply);
    void stopReply(app, sessionId);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) must not send.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void send();
  };

  return (
    <div className="composer" {...useComposerFiles(sessionId)}>
      {readOnly && (
        <p id={`composer-read-only-${sessionId}`} className="composer__read-only" role="note">
          {readOnly}
        </p>
      )}
      <ComposerAttachments sessionId={sessionId} />
      <textarea
        ref={inputRef}
        className="composer__input"
        aria-label="Message"
        aria-describedby={
          readOnly ? `composer-read-only-${sessionId}` : generating ? `composer-busy-${sessionId}` : undefined
        }
        readOnly={readOnly !== null}
        placeholder="Message (Shift+Enter for a new line)"
        rows={1}
        value={draft}
        onChange={(event) => setDraft(sessionId, event.target.value)}
        onKeyDown={onKeyDown}
      />
      {generating ? (
        <>
          <span id={`composer-busy-${sessionId}`} className="visually-hidden">
            A reply is being written. Press Escape to stop it.
          </span>
          <button
            type="button"
            className="button composer__stop"
            aria-label="Stop"
            title="Stop the reply (Esc)"
            disabled={stopping}
            onClick={stop}
          >
            <span aria-hidden="true" className="composer__stop-icon" />
            Stop
          </button>
        </>
      ) : (
        <button
          type="button"
          className="button button--primary composer__send"
          aria-label="Send"
          disabled={sending || readOnly !== null || draft.trim() === ''}
          onClick={() => void send()}
        >
          Send
        </button>
      )}
    </div>
  );
}

/**
 * The chat's saved draft comes back when its composer shows, and waiting saves are written when
 * the page goes away (a reload or a closing window), so at most the last pause's typing is at risk.
 */
function useDraftKept(sessionId: string): void {
  const restoreDraft = useAppStore((s) => s.restoreDraft);
  const flushDrafts = useAppStore((s) => s.flushDrafts);
  useEffect(() => {
    void restoreDraft(sessionId);
  }, [restoreDraft, sessionId]);
  useEffect(() => {
    const flush = () => void flushDrafts();
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, [flushDrafts]);
}
