/**
 * Key bindings as data, so the keymap, the shortcuts the palette and buttons show, and the menu's
 * accelerators all come from one declaration. Cmd on macOS, Ctrl elsewhere ("mod"); a few keys
 * (Ctrl+Tab, Ctrl+PageDown) are Ctrl everywhere, as in browsers.
 */
export interface KeyBinding {
  /** `KeyboardEvent.key`, compared without case: 't', '1', 'Tab', 'PageDown'. */
  key: string;
  /** Cmd on macOS, Ctrl elsewhere. */
  mod?: boolean;
  /** Ctrl on every platform. */
  ctrl?: boolean;
  shift?: boolean;
}

export type KeyInfo = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

export const mod = (key: string, shift = false): KeyBinding => ({ key, mod: true, shift });
export const ctrl = (key: string, shift = false): KeyBinding => ({ key, ctrl: true, shift });

export function isMacPlatform(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);
}

export function modKeyLabel(isMac = isMacPlatform()): string {
  return isMac ? '⌘' : 'Ctrl';
}

/** Alt (AltGr on many keyboards) is never part of a shortcut: it types characters. */
export function matchesBinding(event: KeyInfo, binding: KeyBinding, isMac: boolean): boolean {
  if (event.altKey || event.shiftKey !== (binding.shift ?? false)) return false;
  if (event.key.toLowerCase() !== binding.key.toLowerCase()) return false;
  if (binding.ctrl) return event.ctrlKey;
  if (binding.mod) return isMac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  return !event.ctrlKey && !event.metaKey;
}

const keyLabel = (key: string) => (key.length === 1 ? key.toUpperCase() : key);

/** The keys to press, in order, for showing: ['Ctrl', 'Shift', 'T'] or ['⌘', 'T']. */
export function bindingKeys(binding: KeyBinding, isMac = isMacPlatform()): string[] {
  return [
    ...(binding.mod ? [modKeyLabel(isMac)] : []),
    ...(binding.ctrl ? ['Ctrl'] : []),
    ...(binding.shift ? ['Shift'] : []),
    keyLabel(binding.key),
  ];
}

/** "Ctrl+T", "⌘+F": how a shortcut is written next to a command. */
export function formatBinding(binding: KeyBinding, isMac = isMacPlatform()): string {
  return bindingKeys(binding, isMac).join('+');
}

/** Electron's accelerator syntax ("CmdOrCtrl+Shift+T"), for a menu built from the registry. */
export function acceleratorFor(binding: KeyBinding): string {
  return [
    ...(binding.mod ? ['CmdOrCtrl'] : []),
    ...(binding.ctrl ? ['Ctrl'] : []),
    ...(binding.shift ? ['Shift'] : []),
    keyLabel(binding.key),
  ].join('+');
}
