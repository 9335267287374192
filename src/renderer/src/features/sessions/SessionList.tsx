import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import type { SessionSummary } from '@shared/types';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { purgeChat, trashChat } from './actions';
import { ConfirmDialog, type ConfirmRequest } from './ConfirmDialog';
import { sidebarRows, type SidebarRow } from './groups';
import { Icon } from '../../ui/Icon';
import { RenameInput } from './RenameInput';
import { actionsFor, type SessionAction } from './sessionActions';
import { MENU_WIDTH, SessionMenu } from './SessionMenu';
import { SessionLink } from './SessionLink';
import { displayTitle } from './sessionTitle';
import { isListedChat } from './listed';
import { activeChatId } from '../workspace/store';

/** Fixed row height (title + preview line) keeps virtualization free of measuring. */
export const SESSION_ROW_HEIGHT = 56;
export const GROUP_HEADER_HEIGHT = 28;
/** Start fetching the next page this many rows before the end comes into view. */
const PREFETCH_ROWS = 20;
const CLOCK_REFRESH_MS = 60_000;

interface MenuState {
  id: string;
  x: number;
  y: number;
  /** Where focus goes back to when the menu closes. */
  returnTo: HTMLElement | null;
}

/** "Today" moves at midnight; a minute's lag is fine. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), CLOCK_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function SessionList() {
  const loadedIds = useAppStore((s) => s.sessionList.ids);
  const byId = useAppStore((s) => s.sessionsById);
  const activeId = useAppStore(activeChatId);
  const ids = useMemo(
    () =>
      loadedIds.filter((id) => {
        const session = byId[id];
        return session !== undefined && isListedChat(session, activeId);
      }),
    [loadedIds, byId, activeId],
  );
  const status = useAppStore((s) => s.sessionList.status);
  const view = useAppStore((s) => s.sessionView);
  const hasMore = useAppStore((s) => s.sessionList.nextCursor !== null);
  const loadingMore = useAppStore((s) => s.sessionList.loadingMore);
  const loadMore = useAppStore((s) => s.loadMoreSessions);
  const emptyTrash = useAppStore((s) => s.emptyTrash);
  const scrollRef = useRef<HTMLDivElement>(null);
  const now = useNow();
  const rows = useMemo(() => sidebarRows(ids, byId, now), [ids, byId, now]);
  const [menu, setMenu] = useState<MenuState | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; field: 'title' | 'tags' } | null>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const run = useRowAction(setRenaming, setConfirm);
  const editing = (id: string) => renaming?.id === id;
  /** After Enter or Escape in the rename box, focus goes back to the row's link. */
  const refocusAfterRename = useRef<string | null>(null);
  useEffect(() => {
    const id = refocusAfterRename.current;
    if (renaming !== null || !id) return;
    refocusAfterRename.current = null;
    scrollRef.current?.querySelector<HTMLElement>(`a[href="#chat/${id}"]`)?.focus();
  }, [renaming]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design; this component is not memoized by the compiler.
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => (rows[index]?.kind === 'header' ? GROUP_HEADER_HEIGHT : SESSION_ROW_HEIGHT),
    getItemKey: (index) => {
      const row = rows[index];
      if (!row) return index;
      return row.kind === 'header' ? `group:${row.label}` : row.id;
    },
    overscan: 8,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const roving = useRovingRow(rows, activeId, virtualizer.scrollToIndex, scrollRef);
  const lastVisible = virtualRows.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastVisible >= rows.length - PREFETCH_ROWS) void loadMore();
  }, [hasMore, loadingMore, lastVisible, rows.length, loadMore]);

  const empty = view === 'trash' ? 'Trash is empty.' : view === 'archived' ? 'No archived chats.' : 'No chats yet.';
  const menuSession = menu ? byId[menu.id] : undefined;

  return (
    <div ref={scrollRef} className="session-list">
      {view === 'trash' && ids.length > 0 && (
        <div className="session-list__toolbar">
          <button
            type="button"
            className="button button--danger"
            onClick={() =>
              setConfirm({
                title: 'Empty trash?',
                body: 'Every chat in the Trash will be deleted forever. This cannot be undone.',
                confirmLabel: 'Empty trash',
                run: () => void emptyTrash(),
              })
            }
          >
            Empty trash
          </button>
        </div>
      )}
      {status === 'loading' && ids.length === 0 && <p className="muted session-list__note">Loading chats…</p>}
      {status === 'ready' && ids.length === 0 && !hasMore && <p className="muted session-list__note">{empty}</p>}
      {status === 'error' && ids.length === 0 && <p className="muted session-list__note">Chats could not be loaded.</p>}
      <div role="list" className="session-list__rows" style={{ height: virtualizer.getTotalSize() }}>
        {virtualRows.map((vrow) => {
          const row = rows[vrow.index];
          if (!row) return null;
          const style = { height: vrow.size, transform: `translateY(${vrow.start}px)` };
          if (row.kind === 'header') {
            return (
              // A list may hold only list items (axe aria-required-children), so the header is one;
              // session rows carry their own aria-posinset, which leaves headers out of the count.
              <div key={vrow.key} role="listitem" className="session-list__row session-list__group" style={style}>
                <h3 className="session-list__group-label">{row.label}</h3>
              </div>
            );
          }
          const session = byId[row.id];
          if (!session) return null;
          return (
            <div
              key={vrow.key}
              role="listitem"
              aria-posinset={row.position}
              aria-setsize={hasMore ? -1 : ids.length}
              className="session-list__row session-row"
              style={style}
              onKeyDown={(event) => {
                // F2 renames, as in file managers; only from the link, not from inside the input.
                if (event.key === 'F2' && !editing(row.id) && view !== 'trash') {
                  event.preventDefault();
                  setRenaming({ id: row.id, field: 'title' });
                  return;
                }
                if (!editing(row.id)) roving.onKeyDown(event, row.id);
              }}
              onContextMenu={(event: MouseEvent) => {
                event.preventDefault();
                setMenu({
                  id: row.id,
                  x: event.clientX,
                  y: event.clientY,
                  returnTo: document.activeElement instanceof HTMLElement ? document.activeElement : null,
                });
              }}
            >
              {editing(row.id) ? (
                <RenameInput
                  session={session}
                  field={renaming?.field ?? 'title'}
                  onDone={(refocus) => {
                    if (refocus) refocusAfterRename.current = row.id;
                    setRenaming(null);
                  }}
                />
              ) : (
                <SessionLink
                  sessionId={row.id}
                  className="session-link"
                  testId="session-item"
                  tabIndex={roving.tabStop === row.id ? 0 : -1}
                  onFocus={() => roving.focused(row.id)}
                />
              )}
              {!editing(row.id) && (
                // One small button at the row's end, not a strip of buttons: a strip covered the
                // title on hover, so a click aimed at the title could land on an action.
                <button
                  type="button"
                  className="icon-button session-row__more"
                  aria-label={`More actions: ${displayTitle(session)}`}
                  aria-haspopup="menu"
                  aria-expanded={menu?.id === row.id}
                  // One Tab stop per row: the menu is also the row's context menu (Shift+F10).
                  tabIndex={-1}
                  title="More actions"
                  onClick={(event) => {
                    const box = event.currentTarget.getBoundingClientRect();
                    setMenu({
                      id: row.id,
                      x: box.right - MENU_WIDTH,
                      y: box.bottom + 2,
                      returnTo: event.currentTarget,
                    });
                  }}
                >
                  <Icon name="more" />
                </button>
              )}
            </div>
          );
        })}
      </div>
      {loadingMore && <p className="muted session-list__note">Loading more…</p>}
      {menu && menuSession && (
        <SessionMenu
          session={menuSession}
          actions={actionsFor(menuSession, view)}
          x={menu.x}
          y={menu.y}
          onPick={(action) => {
            setMenu(null);
            run(menuSession, action);
          }}
          onClose={() => {
            menu.returnTo?.focus();
            setMenu(null);
          }}
        />
      )}
      {confirm && <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />}
    </div>
  );
}

/**
 * One Tab stop for the whole list (the WAI-ARIA roving tabindex): the link of the row last
 * focused, else the open chat's, else the first; arrow keys, Home and End move between rows,
 * scrolling the virtualized list to rows not yet rendered.
 */
function useRovingRow(
  rows: SidebarRow[],
  activeId: string | null,
  scrollToIndex: (index: number) => void,
  scrollRef: RefObject<HTMLDivElement | null>,
) {
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const pending = useRef<string | null>(null);
  const sessionRows = rows.filter((r): r is Extract<SidebarRow, { kind: 'session' }> => r.kind === 'session');
  const ids = sessionRows.map((r) => r.id);
  const tabStop =
    focusedId && ids.includes(focusedId) ? focusedId : activeId && ids.includes(activeId) ? activeId : (ids[0] ?? null);

  // Focus lands once the row is rendered (it may have been scrolled into the virtual window).
  useEffect(() => {
    const id = pending.current;
    if (!id) return;
    const link = scrollRef.current?.querySelector<HTMLElement>(`a[href="#chat/${id}"]`);
    if (!link) return;
    pending.current = null;
    link.focus();
  });

  const onKeyDown = (event: KeyboardEvent, id: string) => {
    if (!(event.target instanceof HTMLAnchorElement)) return;
    const at = ids.indexOf(id);
    let next: number;
    if (event.key === 'ArrowDown') next = Math.min(ids.length - 1, at + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = ids.length - 1;
    else return;
    event.preventDefault();
    const target = ids[next];
    if (!target || target === id) return;
    setFocusedId(target);
    pending.current = target;
    scrollToIndex(rows.findIndex((r) => r.kind === 'session' && r.id === target));
    const link = scrollRef.current?.querySelector<HTMLElement>(`a[href="#chat/${target}"]`);
    if (link) {
      pending.current = null;
      link.focus();
    }
  };

  return { tabStop, onKeyDown, focused: setFocusedId };
}

function useRowAction(
  setRenaming: (editing: { id: string; field: 'title' | 'tags' } | null) => void,
  setConfirm: (request: ConfirmRequest | null) => void,
) {
  const setPinned = useAppStore((s) => s.setSessionPinned);
  const setArchived = useAppStore((s) => s.setSessionArchived);
  const setShared = useAppStore((s) => s.setChatShared);
  const app = useAppStoreApi();
  const restore = useAppStore((s) => s.restoreSession);
  return (session: SessionSummary, action: SessionAction) => {
    switch (action.kind) {
      case 'rename':
        setRenaming({ id: session.id, field: 'title' });
        break;
      case 'tags':
        setRenaming({ id: session.id, field: 'tags' });
        break;
      case 'pin':
        void setPinned(session.id, !session.pinned);
        break;
      case 'archive':
        void setArchived(session.id, session.status !== 'archived');
        break;
      case 'exportMarkdown':
        void app.getState().exportChatMarkdown(session.id);
        break;
      case 'share':
        void setShared(session.id, session.visibility !== 'team');
        break;
      case 'trash':
        void trashChat(app, session.id);
        break;
      case 'restore':
        void restore(session.id);
        break;
      case 'purge':
        setConfirm({
          title: 'Delete forever?',
          body: `“${displayTitle(session)}” and all its messages will be deleted. This cannot be undone.`,
          confirmLabel: 'Delete forever',
          run: () => void purgeChat(app, session.id),
        });
        break;
    }
  };
}
