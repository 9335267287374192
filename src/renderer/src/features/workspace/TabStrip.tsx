import { useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { activeAfterClose, chatIdOf, itemKey, type WorkspaceItem } from '../../app/workspace/items';
import { Icon } from '../../ui/Icon';
import { closeTab } from './actions';
import { tabDomId, tabPanelDomId, tabTitleDomId } from './tabIds';
import { tabTitle } from './tabTitle';
import { useTabDrag } from './useTabDrag';

function focusTab(item: WorkspaceItem | undefined): void {
  if (item) document.getElementById(tabDomId(item))?.focus();
}

export function TabStrip() {
  const items = useAppStore((s) => s.workspace.items);
  const store = useAppStoreApi();
  if (items.length === 0) return null;

  // WAI-ARIA tabs pattern: arrows move and select within the strip (focus stays here), Delete closes.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const { workspace, activateItem } = store.getState();
    const current = workspace.active;
    if (!current) return;
    const open = workspace.items;
    const i = open.findIndex((item) => itemKey(item) === current);
    let target: WorkspaceItem | undefined;
    switch (event.key) {
      case 'ArrowRight':
        target = open[(i + 1) % open.length];
        break;
      case 'ArrowLeft':
        target = open[(i - 1 + open.length) % open.length];
        break;
      case 'Home':
        target = open[0];
        break;
      case 'End':
        target = open.at(-1);
        break;
      case 'Delete': {
        event.preventDefault();
        const next = activeAfterClose(open.map(itemKey), current, current);
        closeTab(store, current, { focusComposer: false });
        focusTab(store.getState().workspace.items.find((item) => itemKey(item) === next));
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    if (target) {
      activateItem(itemKey(target));
      focusTab(target);
    }
  };

  return (
    <div role="tablist" aria-label="Open chats" className="tab-strip" onKeyDown={onKeyDown}>
      {items.map((item) => (
        <Tab key={itemKey(item)} item={item} />
      ))}
    </div>
  );
}

function Tab({ item }: { item: WorkspaceItem }) {
  const key = itemKey(item);
  const sessionId = chatIdOf(item);
  const title = useAppStore((s) => tabTitle(s, item));
  const selected = useAppStore((s) => s.workspace.active === key);
  const streaming = useAppStore((s) => sessionId !== null && s.generating[sessionId] !== undefined);
  const unread = useAppStore((s) => sessionId !== null && s.workspace.unread[sessionId] === true);
  const drag = useTabDrag(key);
  const app = useAppStoreApi();
  const activateItem = useAppStore((s) => s.activateItem);
  const ref = useRef<HTMLDivElement>(null);

  // With more tabs than fit, the strip scrolls; keep the selected one in view (Ctrl+Tab, restore).
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [selected]);

  const onClose = (event: MouseEvent) => {
    event.stopPropagation();
    closeTab(app, key);
  };

  // The close button sits next to the tab, not inside it: a button inside role=tab would be a
  // control nested in a control, which screen readers cannot reach reliably (axe nested-interactive).
  return (
    <div
      ref={ref}
      role="presentation"
      className="tab"
      data-selected={selected || undefined}
      data-drop={drag.dropSide ?? undefined}
      {...drag.handlers}
      title={title}
      onMouseDown={(event) => {
        if (event.button === 1) event.preventDefault(); // no autoscroll cursor on middle-click
      }}
      onAuxClick={(event) => {
        if (event.button === 1) closeTab(app, key);
      }}
    >
      <div
        role="tab"
        id={tabDomId(item)}
        aria-selected={selected}
        aria-controls={selected ? tabPanelDomId(item) : undefined}
        aria-labelledby={tabTitleDomId(item)}
        aria-describedby={streaming || unread ? `${tabTitleDomId(item)}-state` : undefined}
        data-streaming={streaming || undefined}
        data-unread={unread || undefined}
        aria-keyshortcuts="Delete"
        tabIndex={selected ? 0 : -1}
        className="tab__main"
        onClick={() => activateItem(key, { focusComposer: true })}
      >
        {streaming ? (
          <span
            id={`${tabTitleDomId(item)}-state`}
            className="tab__streaming"
            role="img"
            aria-label="Writing a reply"
            title="Writing a reply…"
          />
        ) : (
          unread && (
            <span
              id={`${tabTitleDomId(item)}-state`}
              className="tab__unread"
              role="img"
              aria-label="New reply"
              title="New reply"
            />
          )
        )}
        <span id={tabTitleDomId(item)} className="tab__title">
          {title}
        </span>
      </div>
      {/* A mouse affordance only: a tablist may hold only tabs, so it is hidden from assistive
          tech and out of the Tab order; Delete and Cmd/Ctrl+W close from the keyboard (see
          aria-keyshortcuts on the tab). */}
      <button
        type="button"
        className="tab__close"
        title={`Close ${title}`}
        aria-hidden="true"
        tabIndex={-1}
        onClick={onClose}
      >
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}
