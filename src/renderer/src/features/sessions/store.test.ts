import { describe, expect, it } from 'vitest';
import { FakeConfab } from '../../test/fakeApi';
import { SESSION_PAGE_SIZE } from './store';
import { createAppStore } from '../../app/store';

describe('sessions slice', () => {
  it('pages through the sidebar list and keeps what was loaded on refresh', async () => {
    const fake = new FakeConfab();
    for (let i = 0; i < SESSION_PAGE_SIZE + 30; i++) fake.addSession({ title: `s${i}` });
    const store = createAppStore(fake.api);

    await store.getState().refreshSessions();
    expect(store.getState().sessionList.ids).toHaveLength(SESSION_PAGE_SIZE);
    await store.getState().loadMoreSessions();
    expect(store.getState().sessionList.ids).toHaveLength(SESSION_PAGE_SIZE + 30);
    expect(new Set(store.getState().sessionList.ids).size).toBe(SESSION_PAGE_SIZE + 30);
    expect(store.getState().sessionList.nextCursor).toBeNull();

    fake.addSession({ title: 'newest' });
    await store.getState().refreshSessions();
    const list = store.getState().sessionList.ids;
    // As many rows as were shown, newest first; the one pushed off the end is a page away.
    expect(list).toHaveLength(SESSION_PAGE_SIZE + 30);
    expect(store.getState().sessionsById[list[0]!]!.title).toBe('newest');
    expect(store.getState().sessionList.nextCursor).not.toBeNull();
  });

  it('reports a failed load and keeps the app usable', async () => {
    const fake = new FakeConfab();
    fake.failNext('sessions.list', 'db_locked', 'Confab is already open in another window.');
    const store = createAppStore(fake.api);
    await store.getState().refreshSessions();
    expect(store.getState().sessionList.status).toBe('error');
    expect(store.getState().errors.map((e) => e.message)).toEqual(['Confab is already open in another window.']);
    await store.getState().refreshSessions();
    expect(store.getState().sessionList.status).toBe('ready');
  });

  it('shows one banner for a burst of identical errors', () => {
    const store = createAppStore(new FakeConfab().api);
    const lost = { code: 'db_unavailable', message: 'Lost connection to Confab. Reconnecting…' };
    store.getState().reportError(lost);
    store.getState().reportError(lost);
    expect(store.getState().errors).toHaveLength(1);
  });
});

describe('errors that crossed contextBridge as plain data', () => {
  it('are still recognised: a purged session drops its tab, and the message is shown', async () => {
    const fake = new FakeConfab();
    const a = fake.addSession();
    const store = createAppStore(fake.api);
    // What preload's rejection looks like once structured-cloned: no class, just the data.
    const plain = { code: 'not_found', message: 'That chat no longer exists.' };
    fake.api.sessions.get = () => Promise.reject(plain);
    await expect(store.getState().fetchSessions([a.id])).resolves.toEqual([a.id]);
    store.getState().reportError(plain);
    expect(store.getState().errors.map((e) => e.message)).toEqual(['That chat no longer exists.']);
  });
});

describe('session actions', () => {
  it('switches views, trashes with undo (closing the tab) and restores', async () => {
    const fake = new FakeConfab();
    const a = fake.addSession({ title: 'A', tags: ['work'] });
    const b = fake.addSession({ title: 'B' });
    const store = createAppStore(fake.api);
    await store.getState().refreshSessions();
    store.getState().openTab(a.id);

    expect(await store.getState().trashSession(a.id)).toBe(true);
    expect(store.getState().tabs.open).toEqual([]);
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
});
