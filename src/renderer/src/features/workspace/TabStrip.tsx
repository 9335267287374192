import { useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { activeAfterClose } from './store';
import { tabTitle } from './tabTitle';
import { Icon } from '../../ui/Icon';
import { tabDomId, tabPanelDomId, tabTitleDomId } from './tabIds';
import { useTabDrag } from './useTabDrag';

function focusTab(sessionId: string | null | undefined): void {
  if (sessionId) document.getElementById(tabDomId(sessionId))?.focus();
}

export function TabStrip() {
  const open = useAppStore((s) => s.tabs.open);
  const store = useAppStoreApi();
  if (open.length === 0) return null;

  // WAI-ARIA tabs pattern: arrows move and select within the strip (focus stays here), Delete closes.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const { tabs, activateTab, closeTab } = store.getState();
    const current = tabs.active;
    if (!current) return;
    const i = tabs.open.indexOf(current);
    let target: string | undefined;
    switch (event.key) {
      case 'ArrowRight':
        target = tabs.open[(i + 1) % tabs.open.length];
        break;
      case 'ArrowLeft':
        target = tabs.open[(i - 1 + tabs.open.length) % tabs.open.length];
        break;
      case 'Home':
        target = tabs.open[0];
        break;
      case 'End':
        target = tabs.open.at(-1);
        break;
      case 'Delete': {
        event.preventDefault();
        const next = activeAfterClose(tabs.open, current, current);
        closeTab(current, { focusComposer: false });
        focusTab(next);
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    if (target) {
      activateTab(target);
      focusTab(target);
    }
  };

  return (
    <div role="tablist" aria-label="Open chats" className="tab-strip" onKeyDown={onKeyDown}>
      {open.map((id) => (
        <Tab key={id} sessionId={id} />
      ))}
    </div>
  );
}

function Tab({ sessionId }: { sessionId: string }) {
  const title = useAppStore((s) => tabTitle(s, sessionId));
  const selected = useAppStore((s) => s.tabs.active === sessionId);
  const streaming = useAppStore((s) => s.generating[sessionId] !== undefined);
  const unread = useAppStore((s) => s.tabs.unread[sessionId] === true);
  const drag = useTabDrag(sessionId);
  const activateTab = useAppStore((s) => s.activateTab);
  const closeTab = useAppStore((s) => s.closeTab);
  const ref = useRef<HTMLDivElement>(null);

  // With more tabs than fit, the strip scrolls; keep the selected one in view (Ctrl+Tab, restore).
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [selected]);

  const onClose = (event: MouseEvent) => {
    event.stopPropagation();
    closeTab(sessionId);
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
        if (event.button === 1) closeTab(sessionId);
      }}
    >
      <div
        role="tab"
        id={tabDomId(sessionId)}
        aria-selected={selected}
        aria-controls={selected ? tabPanelDomId(sessionId) : undefined}
        aria-labelledby={tabTitleDomId(sessionId)}
        aria-describedby={streaming || unread ? `${tabTitleDomId(sessionId)}-state` : undefined}
        data-streaming={streaming || undefined}
        data-unread={unread || undefined}
        aria-keyshortcuts="Delete"
        tabIndex={selected ? 0 : -1}
        className="tab__main"
        onClick={() => activateTab(sessionId, { focusComposer: true })}
      >
        {streaming ? (
          <span
            id={`${tabTitleDomId(sessionId)}-state`}
            className="tab__streaming"
            role="img"
            aria-label="Writing a reply"
            title="Writing a reply…"
          />
        ) : (
          unread && (
            <span
              id={`${tabTitleDomId(sessionId)}-state`}
              className="tab__unread"
              role="img"
              aria-label="New reply"
              title="New reply"
            />
          )
        )}
        <span id={tabTitleDomId(sessionId)} className="tab__title">
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
