import { describe, expect, it } from 'vitest';
import { formatBinding } from './keys';
import { commandForKey } from './keymap';
import { COMMANDS, commandById } from './registry';

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

const idFor = (event: ReturnType<typeof key>, isMac = false) => commandForKey(event, isMac)?.id ?? null;

describe('the keymap, from the command registry', () => {
  it('uses Ctrl off macOS and Cmd on macOS', () => {
    expect(idFor(key('t', { ctrlKey: true }))).toBe('chat.new');
    expect(idFor(key('t', { metaKey: true }))).toBeNull();
    expect(idFor(key('t', { metaKey: true }), true)).toBe('chat.new');
    expect(idFor(key('t', { ctrlKey: true }), true)).toBeNull();
  });

  it('maps the tab shortcuts', () => {
    expect(idFor(key('w', { ctrlKey: true }))).toBe('tab.close');
    expect(idFor(key('T', { ctrlKey: true, shiftKey: true }))).toBe('tab.reopen');
    expect(idFor(key('Tab', { ctrlKey: true }), true)).toBe('tab.next');
    expect(idFor(key('Tab', { ctrlKey: true, shiftKey: true }))).toBe('tab.previous');
    expect(idFor(key('1', { ctrlKey: true }))).toBe('tab.goTo1');
    expect(idFor(key('8', { ctrlKey: true }))).toBe('tab.goTo8');
    expect(idFor(key('9', { ctrlKey: true }))).toBe('tab.goToLast');
    expect(idFor(key('PageDown', { ctrlKey: true }))).toBe('tab.next');
    expect(idFor(key('PageUp', { ctrlKey: true }))).toBe('tab.previous');
    expect(idFor(key('PageDown', { ctrlKey: true, shiftKey: true }))).toBe('tab.moveRight');
    expect(idFor(key('PageUp', { ctrlKey: true, shiftKey: true }), true)).toBe('tab.moveLeft');
  });

  it('maps Cmd/Ctrl+K to the palette and Cmd/Ctrl+F to find, not with Shift or the other modifier', () => {
    expect(idFor(key('k', { ctrlKey: true }))).toBe('palette.toggle');
    expect(idFor(key('K', { metaKey: true }), true)).toBe('palette.toggle');
    expect(idFor(key('f', { ctrlKey: true }))).toBe('chat.find');
    expect(idFor(key('f', { metaKey: true }), true)).toBe('chat.find');
    expect(idFor(key('k', { metaKey: true }))).toBeNull();
    expect(idFor(key('F', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(idFor(key('k'))).toBeNull();
  });

  it('leaves plain typing, AltGr combinations and the window shortcuts alone', () => {
    expect(idFor(key('t'))).toBeNull();
    expect(idFor(key('w', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(idFor(key('Enter', { ctrlKey: true }))).toBeNull();
    // Shift+Cmd/Ctrl+W closes the window (main's menu).
    expect(idFor(key('W', { ctrlKey: true, shiftKey: true }))).toBeNull();
  });

  it('gives every shortcut to exactly one command', () => {
    const taken = new Map<string, string>();
    for (const command of COMMANDS) {
      for (const binding of command.keys ?? []) {
        const written = formatBinding(binding, false);
        expect(taken.get(written), `${written} is bound twice`).toBeUndefined();
        taken.set(written, command.id);
      }
    }
    expect(taken.get('Ctrl+T')).toBe('chat.new');
  });

  it('writes shortcuts as the palette and buttons show them', () => {
    expect(formatBinding(commandById('chat.new').keys![0]!, false)).toBe('Ctrl+T');
    expect(formatBinding(commandById('chat.new').keys![0]!, true)).toBe('⌘+T');
    expect(formatBinding(commandById('tab.reopen').keys![0]!, false)).toBe('Ctrl+Shift+T');
    expect(formatBinding(commandById('tab.next').keys![0]!, true)).toBe('Ctrl+Tab');
  });
});
