import { describe, expect, it } from 'vitest';
import { activeAfterClose, chatItem, moveEntry, viewItem } from './items';
import { parseSavedTabs, serializeTabs } from './saved';
import { isKnownView } from './views';

const A = '0190a0b0-0000-7000-8000-00000000000a';
const B = '0190a0b0-0000-7000-8000-00000000000b';

describe('saved tabs', () => {
  it('reads the format before typed items, where view:usage was the Usage tab', () => {
    expect(parseSavedTabs({ open: [A, 'view:usage', B], active: 'view:usage' }, isKnownView)).toEqual({
      items: [chatItem(A), viewItem('usage'), chatItem(B)],
      active: 'view:usage',
    });
    expect(parseSavedTabs({ open: [A, B], active: B }, isKnownView)).toEqual({
      items: [chatItem(A), chatItem(B)],
      active: `chat:${B}`,
    });
  });

  it('reads the current format', () => {
    const saved = serializeTabs([chatItem(A), viewItem('usage')], `chat:${A}`);
    expect(saved).toEqual({ version: 2, items: [chatItem(A), viewItem('usage')], active: 0 });
    expect(parseSavedTabs(JSON.parse(JSON.stringify(saved)), isKnownView)).toEqual({
      items: [chatItem(A), viewItem('usage')],
      active: `chat:${A}`,
    });
  });

  it('accepts only well-formed saved state, and views this build knows', () => {
    const none = { items: [], active: null };
    expect(parseSavedTabs(null, isKnownView)).toEqual(none);
    expect(parseSavedTabs('tabs', isKnownView)).toEqual(none);
    expect(parseSavedTabs({ open: [A, 3, B, A], active: B }, isKnownView)).toEqual({
      items: [chatItem(A), chatItem(B)],
      active: `chat:${B}`,
    });
    expect(parseSavedTabs({ open: [A], active: 'zzz' }, isKnownView)).toEqual({ items: [chatItem(A)], active: null });
    expect(parseSavedTabs({ open: ['view:team', A], active: 'view:team' }, isKnownView)).toEqual({
      items: [chatItem(A)],
      active: null,
    });
    expect(
      parseSavedTabs(
        {
          version: 2,
          items: [{ kind: 'view', view: 'import' }, { kind: 'chat' }, 'x', { kind: 'chat', sessionId: A }],
          active: 7,
        },
        isKnownView,
      ),
    ).toEqual({ items: [chatItem(A)], active: null });
  });
});

describe('activeAfterClose', () => {
  it('moves to the right neighbour, else the left, else nothing', () => {
    expect(activeAfterClose(['a', 'b', 'c'], 'b', 'b')).toBe('c');
    expect(activeAfterClose(['a', 'b', 'c'], 'c', 'c')).toBe('b');
    expect(activeAfterClose(['a'], 'a', 'a')).toBeNull();
    expect(activeAfterClose(['a', 'b'], 'a', 'b')).toBe('a');
  });
});

describe('moveEntry', () => {
  it('moves an entry to an index among the others, clamped', () => {
    expect(moveEntry(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveEntry(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveEntry(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'b', 'c']);
    expect(moveEntry(['a', 'b', 'c'], 1, 99)).toEqual(['a', 'c', 'b']);
    expect(moveEntry(['a', 'b', 'c'], 1, -5)).toEqual(['b', 'a', 'c']);
    expect(moveEntry(['a', 'b'], -1, 0)).toEqual(['a', 'b']);
  });
});
