/**
 * App-wide shortcuts (DESIGN §5), as a pure function of the key event so the mapping is
 * testable without a DOM. Cmd on macOS, Ctrl elsewhere; Ctrl+Tab is Ctrl everywhere, as in browsers.
 */
export type Shortcut =
  | { kind: 'newChat' }
  | { kind: 'closeTab' }
  | { kind: 'reopenTab' }
  | { kind: 'cycleTab'; delta: 1 | -1 }
  | { kind: 'moveTab'; delta: 1 | -1 }
  | { kind: 'tabAt'; index: number }
  | { kind: 'palette' }
  | { kind: 'find' };

type KeyInfo = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

export function isMacPlatform(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);
}

export function modKeyLabel(isMac = isMacPlatform()): string {
  return isMac ? '⌘' : 'Ctrl';
}

export function matchShortcut(e: KeyInfo, isMac: boolean): Shortcut | null {
  if (e.altKey) return null;
  if (e.ctrlKey && e.key === 'Tab') return { kind: 'cycleTab', delta: e.shiftKey ? -1 : 1 };
  // Chrome's and Firefox's keys for moving a tab; they work with a keyboard where dragging cannot.
  if (e.ctrlKey && e.shiftKey && e.key === 'PageDown') return { kind: 'moveTab', delta: 1 };
  if (e.ctrlKey && e.shiftKey && e.key === 'PageUp') return { kind: 'moveTab', delta: -1 };
  if (e.ctrlKey && !e.shiftKey && e.key === 'PageDown') return { kind: 'cycleTab', delta: 1 };
  if (e.ctrlKey && !e.shiftKey && e.key === 'PageUp') return { kind: 'cycleTab', delta: -1 };
  const mod = isMac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  if (!mod) return null;
  const key = e.key.toLowerCase();
  if (key === 't') return e.shiftKey ? { kind: 'reopenTab' } : { kind: 'newChat' };
  if (key === 'w' && !e.shiftKey) return { kind: 'closeTab' };
  if (key === 'k' && !e.shiftKey) return { kind: 'palette' };
  if (key === 'f' && !e.shiftKey) return { kind: 'find' };
  if (!e.shiftKey && /^[1-9]$/.test(e.key)) {
    const n = Number(e.key);
    return { kind: 'tabAt', index: n === 9 ? -1 : n - 1 };
  }
  return null;
}
