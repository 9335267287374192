import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { BranchMessage } from '@shared/types';
import { isFailedReply, messagesLeftOut } from '@shared/turns';
import { useAppStore } from '../../app/context';
import { MessageItem } from './MessageItem';
import { useFocusScroll } from './useFocusScroll';
import { useScrollPlace } from './useScrollPlace';

/** A first guess for a message's height; each row is measured once it renders. */
const ESTIMATED_ROW_PX = 140;
/** Rows rendered beyond the visible ones on each side: enough for smooth scrolling, few enough for the DOM. */
const OVERSCAN_ROWS = 4;
/** Start loading the next page this close to either end. */
const LOAD_THRESHOLD_PX = 600;
/** Room at the ends of the list for the "Load older/newer" buttons. */
const EDGE_BUTTON_PX = 52;
const EDGE_PX = 16;
const NO_ITEMS: BranchMessage[] = [];

/**
 * The shown branch, virtualized: only the rows in view (plus a few) are in the DOM, however long
 * the chat. The virtualizer keeps the reader's place itself (`anchorTo: 'end'`): older pages
 * prepended above, rows measured late, and a reply growing at the bottom while the reader is
 * there (it follows) or has scrolled up (it stays put).
 */
export function MessageList({ sessionId }: { sessionId: string }) {
  const entry = useAppStore((s) => s.messages[sessionId]);
  const loadOlder = useAppStore((s) => s.loadOlderMessages);
  const loadNewer = useAppStore((s) => s.loadNewerMessages);
  const showNewest = useAppStore((s) => s.showNewestMessages);
  const reload = useAppStore((s) => s.reloadMessages);
  const scrollRef = useRef<HTMLDivElement>(null);

  const items = entry?.items ?? NO_ITEMS;
  const hasOlder = !!entry?.nextCursor;
  const hasNewer = !!entry?.newerCursor;
  const focus = entry?.focus ?? null;
  const last = items.at(-1);
  // The same rule main uses to build the context, so what is marked is what is left out.
  const leftOut = useMemo(() => notSentToModel(items), [items]);
  // Follow new messages only while the newest is loaded and the reader did not jump somewhere:
  // after a jump, pages appended at the bottom must not pull the view down with them.
  const follow = !hasNewer && focus === null;

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design; this component is not memoized by the compiler.
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    getItemKey: (index) => items[index]?.id ?? index,
    overscan: OVERSCAN_ROWS,
    anchorTo: 'end',
    followOnAppend: follow,
    paddingStart: hasOlder ? EDGE_BUTTON_PX : EDGE_PX,
    paddingEnd: hasNewer ? EDGE_BUTTON_PX : EDGE_PX,
  });
  const rows = virtualizer.getVirtualItems();
  const { recordPlace, awayFromBottom } = useScrollPlace({
    sessionId,
    virtualizer,
    scrollRef,
    items,
    ready: entry?.status === 'ready',
    hasOlder,
    loadingOlder: !!entry?.loadingOlder,
    jumping: focus !== null,
  });

  // A jump or a find hit: bring the message to the middle of the view, and keep it there.
  useFocusScroll({ virtualizer, scrollRef, items, focus });
  const focusSeq = focus?.seq;
  const focusId = focus?.messageId;

  // The reader just sent a message: show it even if they had scrolled up.
  const lastId = last?.id;
  const lastIsUser = last?.role === 'user';
  const shownLast = useRef(lastId);
  useLayoutEffect(() => {
    const previous = shownLast.current;
    shownLast.current = lastId;
    if (lastId && previous && lastId !== previous && lastIsUser && !hasNewer) virtualizer.scrollToEnd();
  }, [lastId, lastIsUser, hasNewer, virtualizer]);

  const loadMoreNearEdges = () => {
    const el = scrollRef.current;
    if (!el || !entry || entry.status !== 'ready') return;
    if (el.scrollTop < LOAD_THRESHOLD_PX && entry.nextCursor && !entry.loadingOlder) void loadOlder(sessionId);
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (fromBottom < LOAD_THRESHOLD_PX && entry.newerCursor && !entry.loadingNewer) void loadNewer(sessionId);
  };

  const onScroll = () => {
    loadMoreNearEdges();
    recordPlace();
  };

  // A jumped-to page that does not fill the view has nothing to scroll; load on until it does.
  const firstIndex = rows[0]?.index;
  const lastIndex = rows.at(-1)?.index;
  useEffect(() => {
    if (!entry || entry.status !== 'ready' || entry.focus === null) return;
    if (firstIndex === 0 && entry.nextCursor && !entry.loadingOlder) void loadOlder(sessionId);
    if (lastIndex === items.length - 1 && entry.newerCursor && !entry.loadingNewer) void loadNewer(sessionId);
  }, [entry, firstIndex, lastIndex, items.length, loadOlder, loadNewer, sessionId]);

  return (
    <div className="message-list-frame">
      <div ref={scrollRef} className="message-list" role="log" aria-label="Messages" onScroll={onScroll}>
        {items.length === 0 && (
          <div className="message-list__inner">
            {entry?.status === 'loading' && <p className="muted">Loading messages…</p>}
            {entry?.status === 'error' && (
              <p className="muted">
                Messages could not be loaded.{' '}
                <button type="button" className="button button--link" onClick={() => void reload(sessionId)}>
                  Try again
                </button>
              </p>
            )}
            {entry?.status === 'ready' && (
              <p className="muted empty-chat">No messages yet. Write the first one below.</p>
            )}
          </div>
        )}
        {items.length > 0 && (
          <div className="message-list__rows" style={{ height: virtualizer.getTotalSize() }}>
            {hasOlder && (
              <button
                type="button"
                className="button load-more load-more--older"
                disabled={entry?.loadingOlder}
                onClick={() => void loadOlder(sessionId)}
              >
                {entry?.loadingOlder ? 'Loading…' : 'Load older messages'}
              </button>
            )}
            {rows.map((row) => {
              const message = items[row.index];
              if (!message) return null;
              const marked = message.id === focusId;
              return (
                <div
                  key={row.key}
                  ref={virtualizer.measureElement}
                  data-index={row.index}
                  data-testid="message-row"
                  data-message-id={message.id}
                  data-highlighted={marked || undefined}
                  aria-current={marked || undefined}
                  // Two names for the same flash: a new jump, even to the same message, restarts it.
                  className={
                    marked ? `message-row message-row--highlighted flash-${(focusSeq ?? 0) % 2}` : 'message-row'
                  }
                  style={{ transform: `translateY(${row.start}px)` }}
                >
                  <MessageItem message={message} notSent={leftOut.has(message.id)} />
                </div>
              );
            })}
            {hasNewer && (
              <button
                type="button"
                className="button load-more load-more--newer"
                disabled={entry?.loadingNewer}
                onClick={() => void loadNewer(sessionId)}
              >
                {entry?.loadingNewer ? 'Loading…' : 'Load newer messages'}
              </button>
            )}
          </div>
        )}
      </div>
      {(hasNewer || awayFromBottom) && (
        <button
          type="button"
          className="button jump-to-newest"
          onClick={() => (hasNewer ? void showNewest(sessionId) : virtualizer.scrollToEnd())}
        >
          Jump to newest ↓
        </button>
      )}
    </div>
  );
}

/**
 * The turns a later request leaves out, as far as they are shown: failed replies and the
 * questions they failed to answer. A reply still being written is not marked.
 */
function notSentToModel(items: readonly BranchMessage[]): ReadonlySet<string> {
  const out = messagesLeftOut(items);
  for (const m of items) if (out.has(m.id) && m.role !== 'user' && !isFailedReply(m)) out.delete(m.id);
  return out;
}
