import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { SessionSearchHit } from '@shared/types';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { jumpToMessage } from '../messages/actions';
import '../palette/palette.css';

const FIND_DEBOUNCE_MS = 120;

/** Cmd/Ctrl+F: find in the open chat's current branch, with next and previous. */
export function FindBar({ sessionId }: { sessionId: string }) {
  const open = useAppStore((s) => s.findOpenFor === sessionId);
  return open ? <OpenFindBar sessionId={sessionId} /> : null;
}

interface FindResult {
  q: string;
  hits: SessionSearchHit[];
  truncated: boolean;
}

function OpenFindBar({ sessionId }: { sessionId: string }) {
  const searchInSession = useAppStore((s) => s.searchInSession);
  const app = useAppStoreApi();
  const closeFind = useAppStore((s) => s.closeFind);
  const requestComposerFocus = useAppStore((s) => s.requestComposerFocus);
  const findRequest = useAppStore((s) => s.findRequest);
  const [q, setQ] = useState('');
  const [result, setResult] = useState<FindResult | null>(null);
  const [index, setIndex] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const latest = useRef(0);

  // Every Cmd+F, also while the bar is open, puts the cursor in it with the text selected.
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [findRequest]);

  useEffect(() => {
    const ticket = ++latest.current;
    if (q.trim() === '') return;
    const timer = setTimeout(() => {
      void searchInSession({ sessionId, q }).then((found) => {
        // Only the answer to what is in the box now counts.
        if (ticket !== latest.current || !found) return;
        setResult({ q, hits: found.hits, truncated: found.truncated });
        // Chats are read from the bottom: start at the newest hit; "previous" walks up.
        const start = found.hits.length - 1;
        setIndex(Math.max(0, start));
        const hit = found.hits[start];
        if (hit) void jumpToMessage(app, sessionId, hit.messageId);
      });
    }, FIND_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q, sessionId, searchInSession, app]);

  const current = result && result.q === q ? result : null;
  const count = current?.hits.length ?? 0;

  const go = (delta: 1 | -1) => {
    if (!current || count === 0) return;
    const next = (index + delta + count) % count;
    setIndex(next);
    void jumpToMessage(app, sessionId, current.hits[next]!.messageId);
  };

  const close = () => {
    closeFind();
    requestComposerFocus(sessionId);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      // Handled here: the chat's Esc (stop a reply) must not also run.
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'Enter' && !event.nativeEvent.isComposing) {
      event.preventDefault();
      go(event.shiftKey ? -1 : 1);
    }
  };

  let status = '';
  if (q.trim() !== '' && current) {
    status = count === 0 ? 'No matches' : `${index + 1} of ${count}${current.truncated ? '+' : ''}`;
  }

  return (
    <div className="find-bar" role="search" aria-label="Find in chat">
      <input
        ref={inputRef}
        className="find-bar__input"
        type="search"
        aria-label="Find in chat"
        placeholder="Find in chat"
        value={q}
        onChange={(event) => setQ(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <span className="find-bar__status muted" role="status" data-testid="find-status">
        {status}
      </span>
      <button
        type="button"
        className="icon-button"
        aria-label="Previous match"
        disabled={count === 0}
        onClick={() => go(-1)}
      >
        <span aria-hidden="true">↑</span>
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Next match"
        disabled={count === 0}
        onClick={() => go(1)}
      >
        <span aria-hidden="true">↓</span>
      </button>
      <button type="button" className="icon-button" aria-label="Close find" onClick={close}>
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
