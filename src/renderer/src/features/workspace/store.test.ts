import { describe, expect, it } from 'vitest';
import { FakeConfab } from '../../test/fakeApi';
import { createAppStore } from '../../app/store';
import { activeAfterClose, parseSavedTabs, reorderTabs, TABS_UI_KEY } from './store';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('parseSavedTabs', () => {
  it('accepts only well-formed saved state', () => {
    expect(parseSavedTabs(null)).toEqual({ open: [], active: null });
    expect(parseSavedTabs('tabs')).toEqual({ open: [], active: null });
    expect(parseSavedTabs({ open: ['a', 3, 'b', 'a'], active: 'b' })).toEqual({ open: ['a', 'b'], active: 'b' });
    expect(parseSavedTabs({ open: ['a'], active: 'zzz' })).toEqual({ open: ['a'], active: null });
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

describe('reorderTabs', () => {
  it('moves a tab to an index among the others, clamped', () => {
    expect(reorderTabs(['a', 'b', 'c'], 'a', 2)).toEqual(['b', 'c', 'a']);
    expect(reorderTabs(['a', 'b', 'c'], 'c', 0)).toEqual(['c', 'a', 'b']);
    expect(reorderTabs(['a', 'b', 'c'], 'b', 1)).toEqual(['a', 'b', 'c']);
    expect(reorderTabs(['a', 'b', 'c'], 'b', 99)).toEqual(['a', 'c', 'b']);
    expect(reorderTabs(['a', 'b', 'c'], 'b', -5)).toEqual(['b', 'a', 'c']);
    expect(reorderTabs(['a', 'b'], 'zzz', 0)).toEqual(['a', 'b']);
  });
});

describe('tabs slice', () => {
  it('moves tabs and saves the new order; marks background replies unread until shown', async () => {
    const fake = new FakeConfab();
    const [a, b, c] = ['A', 'B', 'C'].map((title) => fake.addSession({ title }));
    const store = createAppStore(fake.api);
    await store.getState().restoreTabs();
    for (const s of [a!, b!, c!]) store.getState().openTab(s.id);

    store.getState().activateTab(a!.id);
    store.getState().shiftActiveTab(1);
    expect(store.getState().tabs.open).toEqual([b!.id, a!.id, c!.id]);
    store.getState().moveTab(c!.id, 0);
    expect(store.getState().tabs.open).toEqual([c!.id, b!.id, a!.id]);
    await flush();
    expect(fake.uiState.get(TABS_UI_KEY)).toEqual({ open: [c!.id, b!.id, a!.id], active: a!.id });

    store.getState().markTabUnread(a!.id); // the shown tab: nothing to catch up on
    store.getState().markTabUnread(b!.id);
    expect(store.getState().tabs.unread).toEqual({ [b!.id]: true });
    store.getState().activateTab(b!.id);
    expect(store.getState().tabs.unread).toEqual({});
    store.getState().markTabUnread(c!.id);
    store.getState().closeTab(c!.id);
    expect(store.getState().tabs.unread).toEqual({});
  });

  it('restores saved tabs, skipping sessions that are gone, and saves the cleaned list', async () => {
    const fake = new FakeConfab();
    const a = fake.addSession({ title: 'A' });
    const trashed = fake.addSession({ title: 'T', deletedAt: '2026-11-01T00:00:00Z' });
    const b = fake.addSession({ title: 'B' });
    const purged = '0190a0b0-0000-7000-8000-00000000dead';
    fake.uiState.set(TABS_UI_KEY, { open: [a.id, purged, trashed.id, b.id], active: purged });

    const store = createAppStore(fake.api);
    await store.getState().restoreTabs();
    expect(store.getState().tabs).toMatchObject({ open: [a.id, b.id], active: b.id, restored: true });
    await flush();
    expect(fake.uiState.get(TABS_UI_KEY)).toEqual({ open: [a.id, b.id], active: b.id });
    expect(store.getState().errors).toEqual([]);
  });

  it('keeps a tab opened while the saved tabs were still loading', async () => {
    const fake = new FakeConfab();
    const saved = fake.addSession({ title: 'saved' });
    const fresh = fake.addSession({ title: 'fresh' });
    fake.uiState.set(TABS_UI_KEY, { open: [saved.id], active: saved.id });
    const store = createAppStore(fake.api);

    const release = fake.holdNext('ui.get');
    const restoring = store.getState().restoreTabs();
    store.getState().openTab(fresh.id);
    expect(fake.callsTo('ui.set')).toEqual([]); // nothing is saved before the saved state was read
    release();
    await restoring;
    expect(store.getState().tabs).toMatchObject({ open: [saved.id, fresh.id], active: fresh.id });
    await flush();
    expect(fake.uiState.get(TABS_UI_KEY)).toEqual({ open: [saved.id, fresh.id], active: fresh.id });
  });

  it('does not rewrite saved tabs when nothing changed', async () => {
    const fake = new FakeConfab();
    const a = fake.addSession();
    fake.uiState.set(TABS_UI_KEY, { open: [a.id], active: a.id });
    const store = createAppStore(fake.api);
    await store.getState().restoreTabs();
    store.getState().activateTab(a.id);
    await flush();
    expect(fake.callsTo('ui.set')).toEqual([]);
  });

  it('reopens closed tabs in reverse order of closing', async () => {
    const fake = new FakeConfab();
    const [a, b, c] = [fake.addSession(), fake.addSession(), fake.addSession()];
    const store = createAppStore(fake.api);
    await store.getState().restoreTabs();
    for (const s of [a, b, c]) store.getState().openTab(s.id);
    store.getState().closeTab(b.id);
    store.getState().closeTab(c.id);
    expect(store.getState().tabs.open).toEqual([a.id]);
    store.getState().reopenClosedTab();
    expect(store.getState().tabs).toMatchObject({ open: [a.id, c.id], active: c.id });
    store.getState().reopenClosedTab();
    expect(store.getState().tabs).toMatchObject({ open: [a.id, c.id, b.id], active: b.id });
  });

  it('cycles and jumps by position, Cmd+9 meaning the last tab', async () => {
    const fake = new FakeConfab();
    const [a, b, c] = [fake.addSession(), fake.addSession(), fake.addSession()];
    const store = createAppStore(fake.api);
    for (const s of [a, b, c]) store.getState().openTab(s.id);
    store.getState().cycleTab(1);
    expect(store.getState().tabs.active).toBe(a.id);
    store.getState().cycleTab(-1);
    expect(store.getState().tabs.active).toBe(c.id);
    store.getState().activateTabAt(1);
    expect(store.getState().tabs.active).toBe(b.id);
    store.getState().activateTabAt(-1);
    expect(store.getState().tabs.active).toBe(c.id);
    store.getState().activateTabAt(7);
    expect(store.getState().tabs.active).toBe(c.id);
  });

  it('closes the tab of a session that was trashed elsewhere', async () => {
    const fake = new FakeConfab();
    const a = fake.addSession({ title: 'A' });
    const store = createAppStore(fake.api);
    store.getState().openTab(a.id);
    fake.sessions.set(a.id, { ...a, deletedAt: '2026-11-02T00:00:00Z' });
    await store.getState().handleSessionsChanged([a.id]);
    expect(store.getState().tabs.open).toEqual([]);
    expect(store.getState().tabs.recentlyClosed).toEqual([]);
  });
});
