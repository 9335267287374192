import { useLayoutEffect, useRef } from 'react';
import { useAppStore } from '../../stores/context';
import { MessageItem } from './MessageItem';

/** Within this many pixels of the bottom counts as "following" the conversation. */
const FOLLOW_THRESHOLD_PX = 80;
/** Start loading older messages this close to the top. */
const LOAD_OLDER_THRESHOLD_PX = 200;

export function MessageList({ sessionId }: { sessionId: string }) {
  const entry = useAppStore((s) => s.messages[sessionId]);
  const loadOlder = useAppStore((s) => s.loadOlderMessages);
  const reload = useAppStore((s) => s.reloadMessages);
  const scrollRef = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const distanceFromBottom = useRef(0);
  const shown = useRef<{ first?: string; last?: string }>({});

  const items = entry?.items ?? [];
  const firstId = items[0]?.id;
  const last = items.at(-1);
  const lastId = last?.id;
  const lastIsUser = last?.role === 'user';
  // Streamed text grows the last message without changing its id.
  const streamedLength = useAppStore((s) => (lastId ? (s.streams[lastId]?.text.length ?? 0) : 0));

  // Runs before paint so the list never flashes at the wrong scroll position.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const before = shown.current;
    if (lastId !== before.last) {
      // New at the bottom: follow it if the reader was at the bottom, or if they just sent it.
      if (following.current || lastIsUser) el.scrollTop = el.scrollHeight;
    } else if (firstId === before.first && following.current) {
      // The reply grew: keep its newest line in view unless the reader scrolled up.
      el.scrollTop = el.scrollHeight;
    } else if (firstId !== before.first) {
      // Older messages prepended: keep the same message under the reader's eyes.
      el.scrollTop = el.scrollHeight - el.clientHeight - distanceFromBottom.current;
    }
    shown.current = { first: firstId, last: lastId };
    distanceFromBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight;
  }, [firstId, lastId, lastIsUser, streamedLength]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    distanceFromBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight;
    following.current = distanceFromBottom.current < FOLLOW_THRESHOLD_PX;
    if (el.scrollTop < LOAD_OLDER_THRESHOLD_PX && entry?.nextCursor && !entry.loadingOlder) {
      void loadOlder(sessionId);
    }
  };

  return (
    <div ref={scrollRef} className="message-list" role="log" aria-label="Messages" onScroll={onScroll}>
      <div className="message-list__inner">
        {entry?.nextCursor && (
          <button
            type="button"
            className="button load-older"
            disabled={entry.loadingOlder}
            onClick={() => void loadOlder(sessionId)}
          >
            {entry.loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        )}
        {entry?.status === 'loading' && items.length === 0 && <p className="muted">Loading messages…</p>}
        {entry?.status === 'error' && items.length === 0 && (
          <p className="muted">
            Messages could not be loaded.{' '}
            <button type="button" className="button button--link" onClick={() => void reload(sessionId)}>
              Try again
            </button>
          </p>
        )}
        {entry?.status === 'ready' && items.length === 0 && (
          <p className="muted empty-chat">No messages yet. Write the first one below.</p>
        )}
        {items.map((m) => (
          <MessageItem key={m.id} message={m} />
        ))}
      </div>
    </div>
  );
}
