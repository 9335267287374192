import { useEffect } from 'react';
import { useAppStoreApi } from '../../app/context';
import { isViewTab } from './store';
import { isMacPlatform, matchShortcut } from './keymap';

export function useTabShortcuts(): void {
  const store = useAppStoreApi();
  useEffect(() => {
    const isMac = isMacPlatform();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const shortcut = matchShortcut(event, isMac);
      if (!shortcut) return;
      // Without an open chat, Cmd+F is left to the browser's own find.
      const active = store.getState().tabs.active;
      // Find searches a chat; on the Usage tab (or with none open) Cmd/Ctrl+F stays the browser's.
      if (shortcut.kind === 'find' && (!active || isViewTab(active))) return;
      // Keeps the browser from opening or closing its own tab in the web host.
      event.preventDefault();
      const state = store.getState();
      switch (shortcut.kind) {
        case 'newChat':
          void state.createSession();
          break;
        case 'closeTab':
          state.closeTab();
          break;
        case 'reopenTab':
          state.reopenClosedTab();
          break;
        case 'cycleTab':
          state.cycleTab(shortcut.delta);
          break;
        case 'moveTab':
          state.shiftActiveTab(shortcut.delta);
          break;
        case 'tabAt':
          state.activateTabAt(shortcut.index);
          break;
        case 'palette':
          state.togglePalette();
          break;
        case 'find':
          if (state.tabs.active) state.openFind(state.tabs.active);
          break;
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);
}
