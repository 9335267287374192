import { useEffect } from 'react';
import { useAppStoreApi } from '../context';
import { isMacPlatform, matchesBinding, type KeyInfo } from './keys';
import { COMMANDS, isAvailable, type Command } from './registry';

/** The command whose keys this event presses, if any (whether it applies now is checked apart). */
export function commandForKey(event: KeyInfo, isMac: boolean, commands: readonly Command[] = COMMANDS): Command | null {
  return commands.find((command) => command.keys?.some((binding) => matchesBinding(event, binding, isMac))) ?? null;
}

/** App-wide shortcuts (DESIGN §5), from the command registry. */
export function useCommandKeys(): void {
  const store = useAppStoreApi();
  useEffect(() => {
    const isMac = isMacPlatform();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const command = commandForKey(event, isMac);
      // A command that does not apply leaves its keys to the browser (Cmd+F with no chat shown).
      if (!command || !isAvailable(command, store.getState())) return;
      // Keeps the browser from opening or closing its own tab in the web host.
      event.preventDefault();
      command.run(store);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);
}
