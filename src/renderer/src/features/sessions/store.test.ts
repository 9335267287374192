import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../app/store';
import { chatItem } from '../../app/workspace/items';
import { fakeApi } from '../../test/fakeApi';
import { realCoreForTests } from '../../test/realCore';
import { aSummary } from '../../test/seed';
import { openChat } from '../workspace/actions';
import { trashChat } from './actions';
import { SESSION_PAGE_SIZE } from './store';

const core = realCoreForTests();

describe('sessions slice, on the real core', () => {
  it('pages through the sidebar list and keeps what was loaded on refresh', async () => {
    await core().addSessions(Array.from({ length: SESSION_PAGE_SIZE + 30 }, (_, i) => `s${i}`));
    const store = createAppStore(core().api);

    await store.getState().refreshSessions();
    expect(store.getState().sessionList.ids).toHaveLength(SESSION_PAGE_SIZE);
    await store.getState().loadMoreSessions();
    expect(store.getState().sessionList.ids).toHaveLength(SESSION_PAGE_SIZE + 30);
    expect(new Set(store.getState().sessionList.ids).size).toBe(SESSION_PAGE_SIZE + 30);
    expect(store.getState().sessionList.nextCursor).toBeNull();

    await core().addSession({ title: 'newest' });
    await store.getState().refreshSessions();
    const list = store.getState().sessionList.ids;
    // As many rows as were shown, newest first; the one pushed off the end is a page away.
    expect(list).toHaveLength(SESSION_PAGE_SIZE + 30);
    expect(store.getState().sessionsById[list[0]!]!.title).toBe('newest');
    expect(store.getState().sessionList.nextCursor).not.toBeNull();
  });

  it('reports a failed load and keeps the app usable', async () => {
    core().failNext('sessions.list', 'db_locked', 'Confab is already open in another window.');
    const store = createAppStore(core().api);
    await store.getState().refreshSessions();
    expect(store.getState().sessionList.status).toBe('error');
    expect(store.getState().errors.map((e) => e.message)).toEqual(['Confab is already open in another window.']);
    await store.getState().refreshSessions();
    expect(store.getState().sessionList.status).toBe('ready');
  });

  it('switches views, trashes with undo (closing the tab) and restores', async () => {
    const a = await core().addSession({ title: 'A', tags: ['work'] });
    const b = await core().addSession({ title: 'B' });
    const store = createAppStore(core().api);
    await store.getState().refreshSessions();
    openChat(store, a.id);

    expect(await trashChat(store, a.id)).toBe(true);
    expect(store.getState().workspace.items).toEqual([]);
    expect(store.getState().trashUndo).toEqual({ id: a.id, title: 'A' });
    expect(store.getState().sessionList.ids).toEqual([b.id]);

    store.getState().setSessionView('trash');
    await store.getState().refreshSessions();
    expect(store.getState().sessionList.ids).toEqual([a.id]);

    await store.getState().restoreSession(a.id);
    expect(store.getState().trashUndo).toBeNull();
    await store.getState().refreshSessions();
    expect(store.getState().sessionList.ids).toEqual([]);

    store.getState().setSessionView('active');
    store.getState().setSessionTag('work');
    await store.getState().refreshSessions();
    expect(store.getState().sessionList.ids).toEqual([a.id]);
  });

  it('re-reads open chats by id: a purged one is gone, a live one is kept', async () => {
    const live = await core().addSession({ title: 'Live' });
    const purged = await core().addSession({ title: 'Purged', trashed: true });
    await core().direct.sessions.purge({ id: purged.id });
    const store = createAppStore(core().api);
    await expect(store.getState().fetchSessions([live.id, purged.id])).resolves.toEqual([purged.id]);
    expect(store.getState().sessionsById[live.id]?.title).toBe('Live');
    expect(store.getState().errors).toEqual([]);
  });
});

describe('errors', () => {
  it('shows one banner for a burst of identical errors', () => {
    const store = createAppStore(fakeApi().api);
    const lost = { code: 'db_unavailable', message: 'Lost connection to Confab. Reconnecting…' };
    store.getState().reportError(lost);
    store.getState().reportError(lost);
    expect(store.getState().errors).toHaveLength(1);
  });

  it('recognises errors that crossed contextBridge as plain data: a purged chat drops its tab', async () => {
    const a = aSummary();
    // What preload's rejection looks like once structured-cloned: no class, just the data.
    const plain = { code: 'not_found', message: 'That chat no longer exists.' };
    const fake = fakeApi({ 'sessions.get': () => ({ ...a, deletedAt: null }) });
    const store = createAppStore(fake.api);
    openChat(store, a.id);
    fake.api.sessions.get = () => Promise.reject(plain);
    await expect(store.getState().fetchSessions([a.id])).resolves.toEqual([a.id]);
    expect(store.getState().errors).toEqual([]);
    store.getState().reportError(plain);
    expect(store.getState().errors.map((e) => e.message)).toEqual(['That chat no longer exists.']);
    expect(store.getState().workspace.items).toEqual([chatItem(a.id)]);
  });
});
