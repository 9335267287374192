import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { SessionSummary } from '@shared/types';
import { Icon } from '../../ui/Icon';
import type { SessionAction } from './sessionActions';
import { displayTitle } from './sessionTitle';

/** Rough menu size, to keep a menu opened near the window's edge on screen. */
export const MENU_WIDTH = 176;
const MENU_ITEM_HEIGHT = 32;

interface SessionMenuProps {
  session: SessionSummary;
  actions: SessionAction[];
  x: number;
  y: number;
  onPick(action: SessionAction): void;
  onClose(): void;
}

export function SessionMenu({ session, actions, x, y, onPick, onClose }: SessionMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  // The list re-renders while the menu is open (a refresh); that must not move focus back.
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
    const outside = (event: globalThis.MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) onCloseRef.current();
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => items[(to + items.length) % items.length]?.focus();
    if (event.key === 'ArrowDown') move(i + 1);
    else if (event.key === 'ArrowUp') move(i - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(items.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') onClose();
    else return;
    event.preventDefault();
  };

  return (
    <div
      ref={ref}
      role="menu"
      aria-label={`Actions for ${displayTitle(session)}`}
      className="session-menu"
      style={{
        left: Math.max(0, Math.min(x, window.innerWidth - MENU_WIDTH)),
        top: Math.max(0, Math.min(y, window.innerHeight - MENU_ITEM_HEIGHT * actions.length - 8)),
      }}
      onKeyDown={onKeyDown}
    >
      {actions.map((action) => (
        <button key={action.kind} type="button" role="menuitem" tabIndex={-1} onClick={() => onPick(action)}>
          <Icon name={action.icon} />
          {action.label}
        </button>
      ))}
    </div>
  );
}
