import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { CommandButton } from '../../app/commands/CommandButton';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { itemKey } from '../../app/workspace/items';
import { Icon } from '../../ui/Icon';
import { TabStrip } from './TabStrip';
import { tabTitle } from './tabTitle';
import './tabBar.css';

/** How far one arrow click scrolls the strip: about two tabs. */
const SCROLL_STEP_PX = 320;

/**
 * The tab strip with what a crowded one needs: ‹ › when tabs overflow, a list of every open tab,
 * and, while the sidebar is hidden (Cmd/Ctrl+B), the button that brings it back.
 */
export function TabBar() {
  const count = useAppStore((s) => s.workspace.items.length);
  const sidebarCollapsed = useAppStore((s) => s.sidebarCollapsed);
  const stripRef = useRef<HTMLDivElement>(null);
  const shown = count > 0 || sidebarCollapsed;
  const overflow = useOverflow(stripRef, count, shown);
  if (!shown) return null;
  const scroll = (direction: 1 | -1) =>
    stripRef.current?.scrollBy?.({ left: direction * SCROLL_STEP_PX, behavior: 'smooth' });
  return (
    <div className="tab-bar">
      {sidebarCollapsed && (
        <CommandButton command="sidebar.toggle" className="icon-button tab-bar__button" ariaLabel="Show sidebar">
          <Icon name="sidebar" />
        </CommandButton>
      )}
      {overflow.left && (
        <button
          type="button"
          className="icon-button tab-bar__button"
          aria-label="Scroll tabs left"
          tabIndex={-1}
          onClick={() => scroll(-1)}
        >
          <Icon name="chevronLeft" />
        </button>
      )}
      <div ref={stripRef} className="tab-bar__strip">
        <TabStrip />
      </div>
      {overflow.right && (
        <button
          type="button"
          className="icon-button tab-bar__button"
          aria-label="Scroll tabs right"
          tabIndex={-1}
          onClick={() => scroll(1)}
        >
          <Icon name="chevronRight" />
        </button>
      )}
      {count > 1 && <AllTabsMenu />}
    </div>
  );
}

/** Whether the strip has tabs hidden to its left or right, kept current on scroll and resize. */
function useOverflow(
  ref: RefObject<HTMLDivElement | null>,
  count: number,
  shown: boolean,
): { left: boolean; right: boolean } {
  const [state, setState] = useState({ left: false, right: false });
  const measure = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const left = el.scrollLeft > 1;
    const right = el.scrollLeft + el.clientWidth < el.scrollWidth - 1;
    setState((s) => (s.left === left && s.right === right ? s : { left, right }));
  }, [ref]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(measure) : null;
    observer?.observe(el);
    return () => {
      el.removeEventListener('scroll', measure);
      observer?.disconnect();
    };
    // `shown`: the strip is mounted only while there is a tab bar to show.
  }, [ref, measure, shown]);
  // More or fewer tabs change the width without resizing the strip's box.
  useEffect(measure, [count, measure]);
  return state;
}

/** "All tabs": every open tab by title, the shown one marked; picking one shows it. */
function AllTabsMenu() {
  const items = useAppStore((s) => s.workspace.items);
  const active = useAppStore((s) => s.workspace.active);
  const titles = useAppStore((s) => s.workspace.items.map((item) => tabTitle(s, item)).join('\u0000'));
  const store = useAppStoreApi();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const names = titles.split('\u0000');

  useEffect(() => {
    if (!open) return;
    const current = menuRef.current?.querySelector<HTMLElement>('[aria-checked="true"]');
    (current ?? menuRef.current?.querySelector<HTMLElement>('[role=menuitemradio]'))?.focus();
    const outside = (event: MouseEvent) => {
      if (!menuRef.current?.contains(event.target as Node) && event.target !== buttonRef.current) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const entries = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role=menuitemradio]') ?? [])];
    const i = entries.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => entries[(to + entries.length) % entries.length]?.focus();
    if (event.key === 'ArrowDown') move(i + 1);
    else if (event.key === 'ArrowUp') move(i - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(entries.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') close();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div className="tab-bar__all">
      <button
        ref={buttonRef}
        type="button"
        className="icon-button tab-bar__button"
        aria-label={`All tabs (${items.length})`}
        aria-haspopup="menu"
        aria-expanded={open}
        title="All open tabs"
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="chevronDown" />
      </button>
      {open && (
        <div
          ref={menuRef}
          role="menu"
          aria-label="Open tabs"
          className="session-menu tab-bar__menu"
          onKeyDown={onKeyDown}
        >
          {items.map((item, i) => {
            const key = itemKey(item);
            return (
              <button
                key={key}
                type="button"
                role="menuitemradio"
                aria-checked={key === active}
                tabIndex={-1}
                onClick={() => {
                  setOpen(false);
                  store.getState().activateItem(key, { focusComposer: true });
                }}
              >
                {names[i]}
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}
