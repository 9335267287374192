import { describe, expect, it } from 'vitest';
import { matchShortcut } from './keymap';

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('matchShortcut', () => {
  it('uses Ctrl off macOS and Cmd on macOS', () => {
    expect(matchShortcut(key('t', { ctrlKey: true }), false)).toEqual({ kind: 'newChat' });
    expect(matchShortcut(key('t', { metaKey: true }), false)).toBeNull();
    expect(matchShortcut(key('t', { metaKey: true }), true)).toEqual({ kind: 'newChat' });
    expect(matchShortcut(key('t', { ctrlKey: true }), true)).toBeNull();
  });

  it('maps the tab shortcuts', () => {
    expect(matchShortcut(key('w', { ctrlKey: true }), false)).toEqual({ kind: 'closeTab' });
    expect(matchShortcut(key('T', { ctrlKey: true, shiftKey: true }), false)).toEqual({ kind: 'reopenTab' });
    expect(matchShortcut(key('Tab', { ctrlKey: true }), true)).toEqual({ kind: 'cycleTab', delta: 1 });
    expect(matchShortcut(key('Tab', { ctrlKey: true, shiftKey: true }), false)).toEqual({
      kind: 'cycleTab',
      delta: -1,
    });
    expect(matchShortcut(key('1', { ctrlKey: true }), false)).toEqual({ kind: 'tabAt', index: 0 });
    expect(matchShortcut(key('9', { ctrlKey: true }), false)).toEqual({ kind: 'tabAt', index: -1 });
    expect(matchShortcut(key('PageDown', { ctrlKey: true }), false)).toEqual({ kind: 'cycleTab', delta: 1 });
    expect(matchShortcut(key('PageDown', { ctrlKey: true, shiftKey: true }), false)).toEqual({
      kind: 'moveTab',
      delta: 1,
    });
    expect(matchShortcut(key('PageUp', { ctrlKey: true, shiftKey: true }), true)).toEqual({
      kind: 'moveTab',
      delta: -1,
    });
  });

  it('maps Cmd/Ctrl+K to the palette and Cmd/Ctrl+F to find, not with Shift or the other modifier', () => {
    expect(matchShortcut(key('k', { ctrlKey: true }), false)).toEqual({ kind: 'palette' });
    expect(matchShortcut(key('K', { metaKey: true }), true)).toEqual({ kind: 'palette' });
    expect(matchShortcut(key('f', { ctrlKey: true }), false)).toEqual({ kind: 'find' });
    expect(matchShortcut(key('f', { metaKey: true }), true)).toEqual({ kind: 'find' });
    expect(matchShortcut(key('k', { metaKey: true }), false)).toBeNull();
    expect(matchShortcut(key('F', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
    expect(matchShortcut(key('k'), false)).toBeNull();
  });

  it('leaves plain typing and AltGr combinations alone', () => {
    expect(matchShortcut(key('t'), false)).toBeNull();
    expect(matchShortcut(key('w', { ctrlKey: true, altKey: true }), false)).toBeNull();
    expect(matchShortcut(key('Enter', { ctrlKey: true }), false)).toBeNull();
  });
});
