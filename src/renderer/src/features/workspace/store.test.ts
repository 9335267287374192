import { describe, expect, it, vi } from 'vitest';
import { ConfabError } from '@shared/errors';
import type { SessionSummary } from '@shared/types';
import { createAppStore } from '../../app/store';
import { chatItem, itemKey, viewItem } from '../../app/workspace/items';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { isKnownView } from '../../app/workspace/views';
import { fakeApi } from '../../test/fakeApi';
import { aSummary } from '../../test/seed';
import { refreshChangedChats } from '../sessions/actions';
import { closeTab, dropChats, openChat, reopenClosedTab, restoreWorkspace } from './actions';
import { activeChatId } from './store';

/** A fake with these chats and whatever ui_state the test puts in `ui`. */
function withChats(...sessions: SessionSummary[]) {
  const ui = new Map<string, unknown>();
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const fake = fakeApi({
    'sessions.get': ({ id }) => {
      const session = byId.get(id);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      return session;
    },
    'sessions.list': () => ({ items: [...byId.values()].filter((s) => !s.deletedAt), nextCursor: null }),
    'ui.get': ({ key }) => (ui.get(key) ?? null) as never,
    'ui.set': ({ key, value }) => {
      ui.set(key, value);
      return null;
    },
  });
  const store = createAppStore(fake.api);
  return { fake, ui, byId, store };
}

const chatKey = (id: string) => itemKey(chatItem(id));
/**
 * For checks that nothing was saved: one macrotask turn lets the store's unawaited saves reach
 * the fake (it answers on microtasks). Saves that must happen are waited for with vi.waitFor.
 */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('workspace slice', () => {
  it('moves tabs and saves the new order; marks background replies unread until shown', async () => {
    const [a, b, c] = ['A', 'B', 'C'].map((title) => aSummary({ title })) as [
      SessionSummary,
      SessionSummary,
      SessionSummary,
    ];
    const { store, ui } = withChats(a, b, c);
    await restoreWorkspace(store, isKnownView);
    for (const s of [a, b, c]) openChat(store, s.id);

    store.getState().activateItem(chatKey(a.id));
    store.getState().shiftActiveItem(1);
    expect(store.getState().workspace.items).toEqual([chatItem(b.id), chatItem(a.id), chatItem(c.id)]);
    store.getState().moveItem(chatKey(c.id), 0);
    expect(store.getState().workspace.items).toEqual([chatItem(c.id), chatItem(b.id), chatItem(a.id)]);
    await vi.waitFor(() =>
      expect(ui.get(TABS_UI_KEY)).toEqual({
        version: 2,
        items: [chatItem(c.id), chatItem(b.id), chatItem(a.id)],
        active: 2,
      }),
    );

    store.getState().markChatUnread(a.id); // the shown tab: nothing to catch up on
    store.getState().markChatUnread(b.id);
    expect(store.getState().workspace.unread).toEqual({ [b.id]: true });
    store.getState().activateItem(chatKey(b.id));
    expect(store.getState().workspace.unread).toEqual({});
    store.getState().markChatUnread(c.id);
    closeTab(store, chatKey(c.id));
    expect(store.getState().workspace.unread).toEqual({});
  });

  it('restores tabs saved before items were typed, the Usage tab included, and saves the new format on the next change', async () => {
    const [a, b] = [aSummary({ title: 'A' }), aSummary({ title: 'B' })];
    const { store, ui, fake } = withChats(a, b);
    ui.set(TABS_UI_KEY, { open: [a.id, 'view:usage', b.id], active: 'view:usage' });
    await restoreWorkspace(store, isKnownView);
    expect(store.getState().workspace).toMatchObject({
      items: [chatItem(a.id), viewItem('usage'), chatItem(b.id)],
      active: 'view:usage',
      restored: true,
    });
    await settle();
    // Nothing changed: the old format stays until something does.
    expect(fake.callsTo('ui.set')).toEqual([]);
    store.getState().activateItem(chatKey(b.id));
    await vi.waitFor(() =>
      expect(ui.get(TABS_UI_KEY)).toEqual({
        version: 2,
        items: [chatItem(a.id), viewItem('usage'), chatItem(b.id)],
        active: 2,
      }),
    );
  });

  it('restores saved tabs, skipping chats that are gone, and saves the cleaned list', async () => {
    const a = aSummary({ title: 'A' });
    const trashed = aSummary({ title: 'T', deletedAt: '2026-11-01T00:00:00Z' });
    const b = aSummary({ title: 'B' });
    const purged = '0190a0b0-0000-7000-8000-00000000dead';
    const { store, ui } = withChats(a, trashed, b);
    ui.set(TABS_UI_KEY, { open: [a.id, purged, trashed.id, b.id], active: purged });

    await restoreWorkspace(store, isKnownView);
    expect(store.getState().workspace).toMatchObject({
      items: [chatItem(a.id), chatItem(b.id)],
      active: chatKey(b.id),
    });
    await vi.waitFor(() =>
      expect(ui.get(TABS_UI_KEY)).toEqual({ version: 2, items: [chatItem(a.id), chatItem(b.id)], active: 1 }),
    );
    expect(store.getState().errors).toEqual([]);
  });

  it('keeps a tab opened while the saved tabs were still loading', async () => {
    const saved = aSummary({ title: 'saved' });
    const fresh = aSummary({ title: 'fresh' });
    const { store, ui, fake } = withChats(saved, fresh);
    ui.set(TABS_UI_KEY, { version: 2, items: [chatItem(saved.id)], active: 0 });

    const release = fake.holdNext('ui.get');
    const restoring = restoreWorkspace(store, isKnownView);
    openChat(store, fresh.id);
    expect(fake.callsTo('ui.set')).toEqual([]); // nothing is saved before the saved state was read
    release();
    await restoring;
    expect(store.getState().workspace).toMatchObject({
      items: [chatItem(saved.id), chatItem(fresh.id)],
      active: chatKey(fresh.id),
    });
    await vi.waitFor(() =>
      expect(ui.get(TABS_UI_KEY)).toEqual({ version: 2, items: [chatItem(saved.id), chatItem(fresh.id)], active: 1 }),
    );
  });

  it('does not rewrite saved tabs when nothing changed', async () => {
    const a = aSummary();
    const { store, ui, fake } = withChats(a);
    ui.set(TABS_UI_KEY, { version: 2, items: [chatItem(a.id)], active: 0 });
    await restoreWorkspace(store, isKnownView);
    store.getState().activateItem(chatKey(a.id));
    await settle();
    expect(fake.callsTo('ui.set')).toEqual([]);
  });

  it('reopens closed tabs in reverse order of closing, views too', async () => {
    const [a, b] = [aSummary(), aSummary()];
    const { store } = withChats(a, b);
    await restoreWorkspace(store, isKnownView);
    openChat(store, a.id);
    openChat(store, b.id);
    store.getState().openItem(viewItem('usage'));
    closeTab(store, chatKey(b.id));
    closeTab(store);
    expect(store.getState().workspace.items).toEqual([chatItem(a.id)]);
    reopenClosedTab(store);
    expect(store.getState().workspace).toMatchObject({
      items: [chatItem(a.id), viewItem('usage')],
      active: 'view:usage',
    });
    reopenClosedTab(store);
    // Each back where it was: B was second.
    expect(store.getState().workspace).toMatchObject({
      items: [chatItem(a.id), chatItem(b.id), viewItem('usage')],
      active: chatKey(b.id),
    });
  });

  it('cycles and jumps by position, Cmd+9 meaning the last tab', () => {
    const [a, b, c] = [aSummary(), aSummary(), aSummary()];
    const { store } = withChats(a, b, c);
    for (const s of [a, b, c]) openChat(store, s.id);
    store.getState().cycleItem(1);
    expect(activeChatId(store.getState())).toBe(a.id);
    store.getState().cycleItem(-1);
    expect(activeChatId(store.getState())).toBe(c.id);
    store.getState().activateItemAt(1);
    expect(activeChatId(store.getState())).toBe(b.id);
    store.getState().activateItemAt(-1);
    expect(activeChatId(store.getState())).toBe(c.id);
    store.getState().activateItemAt(7);
    expect(activeChatId(store.getState())).toBe(c.id);
  });

  it('reopens a closed tab where it was in the strip, walking back through several closes', () => {
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((title) => aSummary({ title })) as [
      SessionSummary,
      SessionSummary,
      SessionSummary,
      SessionSummary,
    ];
    const { store } = withChats(a, b, c, d);
    for (const s of [a, b, c, d]) openChat(store, s.id);
    const order = () => store.getState().workspace.items.map((item) => (item.kind === 'chat' ? item.sessionId : ''));

    closeTab(store, chatKey(b.id));
    closeTab(store, chatKey(a.id));
    expect(order()).toEqual([c.id, d.id]);
    reopenClosedTab(store);
    expect(order()).toEqual([a.id, c.id, d.id]);
    reopenClosedTab(store);
    expect(order()).toEqual([a.id, b.id, c.id, d.id]);
    expect(activeChatId(store.getState())).toBe(b.id);

    // A strip that shrank meanwhile (B's chat was trashed): D goes as far right as it can.
    closeTab(store, chatKey(d.id));
    dropChats(store, [b.id]);
    expect(order()).toEqual([a.id, c.id]);
    reopenClosedTab(store);
    expect(order()).toEqual([a.id, c.id, d.id]);
  });

  it('closes the tab of a chat that was trashed elsewhere, without offering it for reopening', async () => {
    const a = aSummary({ title: 'A' });
    const { store, byId } = withChats(a);
    openChat(store, a.id);
    byId.set(a.id, { ...a, deletedAt: '2026-11-02T00:00:00Z' });
    await refreshChangedChats(store, new Set([a.id]));
    expect(store.getState().workspace.items).toEqual([]);
    expect(store.getState().workspace.recentlyClosed).toEqual([]);
  });
});
