import { useEffect } from 'react';
import { useAppStoreApi } from '../../stores/context';
import { isMacPlatform, matchShortcut } from './keymap';

export function useTabShortcuts(): void {
  const store = useAppStoreApi();
  useEffect(() => {
    const isMac = isMacPlatform();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const shortcut = matchShortcut(event, isMac);
      if (!shortcut) return;
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
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);
}
