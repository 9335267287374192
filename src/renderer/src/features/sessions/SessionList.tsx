import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useAppStore } from '../../stores/context';
import { SessionLink } from './SessionLink';

/** Fixed row height (title + preview line) keeps virtualization free of measuring. */
export const SESSION_ROW_HEIGHT = 56;
/** Start fetching the next page this many rows before the end comes into view. */
const PREFETCH_ROWS = 20;

export function SessionList() {
  const ids = useAppStore((s) => s.sessionList.ids);
  const status = useAppStore((s) => s.sessionList.status);
  const hasMore = useAppStore((s) => s.sessionList.nextCursor !== null);
  const loadingMore = useAppStore((s) => s.sessionList.loadingMore);
  const loadMore = useAppStore((s) => s.loadMoreSessions);
  const scrollRef = useRef<HTMLDivElement>(null);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design; this component is not memoized by the compiler.
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => SESSION_ROW_HEIGHT,
    getItemKey: (index) => ids[index] ?? index,
    overscan: 8,
  });
  const rows = virtualizer.getVirtualItems();
  const lastVisible = rows.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastVisible >= ids.length - PREFETCH_ROWS) void loadMore();
  }, [hasMore, loadingMore, lastVisible, ids.length, loadMore]);

  return (
    <div ref={scrollRef} className="session-list">
      {status === 'loading' && ids.length === 0 && <p className="muted session-list__note">Loading chats…</p>}
      {status === 'ready' && ids.length === 0 && <p className="muted session-list__note">No chats yet.</p>}
      {status === 'error' && ids.length === 0 && <p className="muted session-list__note">Chats could not be loaded.</p>}
      <div role="list" className="session-list__rows" style={{ height: virtualizer.getTotalSize() }}>
        {rows.map((row) => {
          const id = ids[row.index];
          if (!id) return null;
          return (
            <div
              key={row.key}
              role="listitem"
              aria-posinset={row.index + 1}
              aria-setsize={hasMore ? -1 : ids.length}
              className="session-list__row"
              style={{ height: row.size, transform: `translateY(${row.start}px)` }}
            >
              <SessionLink sessionId={id} className="session-link" testId="session-item" />
            </div>
          );
        })}
      </div>
      {loadingMore && <p className="muted session-list__note">Loading more…</p>}
    </div>
  );
}
