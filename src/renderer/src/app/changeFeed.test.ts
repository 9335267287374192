import { afterEach, describe, expect, it } from 'vitest';
import type { MethodName } from '@shared/contract';
import { chatItem } from './workspace/items';
import { fakeApi } from '../test/fakeApi';
import { aBranch, aProvider, aSummary, onePage, savedTabs, someChatSettings } from '../test/seed';
import { TABS_UI_KEY } from './workspace/saved';
import { startApp, type RunningApp } from './startApp';
import type { FlushScheduler } from './changeFeed';

/** A flush scheduler the test runs by hand, so a "burst" is exactly what the test sends. */
function manualFlush() {
  let pending: (() => void) | null = null;
  const schedule: FlushScheduler = (flush) => {
    pending = flush;
    return () => (pending = null);
  };
  return {
    schedule,
    get scheduled() {
      return pending !== null;
    },
    run() {
      const flush = pending;
      pending = null;
      flush?.();
    },
  };
}

/**
 * Lets the promise chains the store started run to their end: the fake answers on microtasks, so
 * one macrotask turn drains them. (A turn, not a wait for time.)
 */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

const running: RunningApp[] = [];
afterEach(() => {
  for (const app of running.splice(0)) app.stop();
});

function start(fake: ReturnType<typeof fakeApi>) {
  const flush = manualFlush();
  const app = startApp(fake.api, { scheduleFlush: flush.schedule });
  running.push(app);
  return { store: app.store, flush };
}

/** Methods that only read; everything else changes data. */
const READS = new Set<MethodName>([
  'sessions.list',
  'sessions.get',
  'sessions.tags',
  'messages.listBranch',
  'messages.listNewer',
  'ui.get',
  'providers.list',
  'providers.presets',
  'settings.getChat',
  'chat.active',
  'usage.getSettings',
  'sync.status',
  'sync.teamSessions',
]);

describe('change feed', () => {
  it('turns a burst of 10,000 changes (an import) into one re-read of each thing shown', async () => {
    const open = aSummary({ title: 'Open' });
    const messages = aBranch(open.id, [{ role: 'user', content: 'Q' }]);
    const fake = fakeApi({
      'sessions.list': () => onePage([open]),
      'sessions.get': () => open,
      'ui.get': ({ key }) => (key === TABS_UI_KEY ? savedTabs([open.id]) : null),
      'messages.listBranch': () => onePage(messages),
    });
    const { store, flush } = start(fake);
    await settle();
    await store.getState().ensureMessages(open.id);
    const listsBefore = fake.callsTo('sessions.list').length;
    const branchesBefore = fake.callsTo('messages.listBranch').length;

    for (let i = 0; i < 10_000; i++) {
      const elsewhere = aSummary().id;
      fake.emit('sessions.changed', { ids: [elsewhere], source: 'import' });
      fake.emit('messages.changed', { sessionId: elsewhere, messageIds: [`m${i}`], source: 'import' });
      fake.emit('messages.changed', { sessionId: open.id, messageIds: [`n${i}`], source: 'import' });
    }
    // Nothing is read while the burst gathers.
    expect(flush.scheduled).toBe(true);
    expect(fake.callsTo('sessions.list')).toHaveLength(listsBefore);
    flush.run();
    await settle();
    expect(fake.callsTo('sessions.list')).toHaveLength(listsBefore + 1);
    expect(fake.callsTo('messages.listBranch')).toHaveLength(branchesBefore + 1);
    // Chats without a tab are not loaded at all.
    expect(fake.callsTo('messages.listBranch').every((input) => input.sessionId === open.id)).toBe(true);
    expect(flush.scheduled).toBe(false);
  });

  it('reloads the shown chat on messageIds: [] and marks a background chat stale instead', async () => {
    const [a, b] = [aSummary({ title: 'A' }), aSummary({ title: 'B' })];
    const fake = fakeApi({
      'sessions.list': () => onePage([a, b]),
      'ui.get': ({ key }) => (key === TABS_UI_KEY ? savedTabs([a.id, b.id], b.id) : null),
      'sessions.get': ({ id }) => (id === a.id ? a : b),
      'messages.listBranch': ({ sessionId }) => onePage(aBranch(sessionId, [{ content: 'hi' }])),
    });
    const { store, flush } = start(fake);
    await settle();
    await store.getState().ensureMessages(a.id);
    await store.getState().ensureMessages(b.id);
    const before = fake.callsTo('messages.listBranch').length;

    fake.emit('messages.changed', { sessionId: b.id, messageIds: [], source: 'local' });
    fake.emit('messages.changed', { sessionId: a.id, messageIds: [], source: 'local' });
    flush.run();
    await settle();
    expect(fake.callsTo('messages.listBranch').slice(before)).toEqual([{ sessionId: b.id, limit: 50 }]);
    expect(store.getState().messages[a.id]!.stale).toBe(true);

    store.getState().activateItem(`chat:${a.id}`);
    await store.getState().ensureMessages(a.id);
    expect(fake.callsTo('messages.listBranch').slice(before)).toHaveLength(2);
  });

  it('re-reads providers on providers.changed and chat settings on settings.changed', async () => {
    // A provider adopted by local detection at startup: no view asked for it.
    const ollama = aProvider({ name: 'Ollama', preset: 'ollama', baseUrl: 'http://localhost:11434/v1' });
    const fake = fakeApi();
    const { store, flush } = start(fake);
    await settle();
    expect(store.getState().providers).toEqual({ status: 'ready', data: [] });

    fake.handle({
      'providers.list': () => [ollama],
      'settings.getChat': () => someChatSettings({ defaultProviderId: ollama.id }),
    });
    fake.emit('providers.changed', { ids: [ollama.id], source: 'system' });
    fake.emit('settings.changed', { keys: ['chat'], source: 'system' });
    flush.run();
    await settle();
    expect(store.getState().providers.data).toEqual([ollama]);
    expect(store.getState().chatSettings.data?.defaultProviderId).toBe(ollama.id);
    // Usage settings were never read (Settings was not opened), so they are not read now either.
    fake.emit('settings.changed', { keys: ['usage'], source: 'local' });
    flush.run();
    await settle();
    expect(fake.callsTo('usage.getSettings')).toEqual([]);
  });

  it('never writes back in answer to a remote change, and closes the tab of a chat deleted there', async () => {
    const [kept, deleted] = [aSummary({ title: 'Kept' }), aSummary({ title: 'Deleted remotely' })];
    let remoteDeleted = false;
    const fake = fakeApi({
      'sessions.list': () => onePage(remoteDeleted ? [kept] : [kept, deleted]),
      'sessions.get': ({ id }) =>
        id === deleted.id ? { ...deleted, deletedAt: remoteDeleted ? '2026-11-02T00:00:00Z' : null } : kept,
      'ui.get': ({ key }) => (key === TABS_UI_KEY ? savedTabs([kept.id, deleted.id]) : null),
      'messages.listBranch': ({ sessionId }) => onePage(aBranch(sessionId, [{ content: 'hi' }])),
      'settings.getChat': () => someChatSettings(),
    });
    const { store, flush } = start(fake);
    await settle();
    await store.getState().ensureMessages(deleted.id);
    expect(store.getState().workspace.items).toEqual([chatItem(kept.id), chatItem(deleted.id)]);
    const before = fake.calls.length;

    remoteDeleted = true;
    fake.emit('sessions.changed', { ids: [deleted.id, kept.id], source: 'remote' });
    fake.emit('messages.changed', { sessionId: deleted.id, messageIds: [], source: 'remote' });
    fake.emit('providers.changed', { ids: [], source: 'remote' });
    fake.emit('settings.changed', { keys: ['chat'], source: 'remote' });
    flush.run();
    await settle();

    expect(store.getState().workspace.items).toEqual([chatItem(kept.id)]);
    const after = fake.calls.slice(before);
    expect(after.length).toBeGreaterThan(0);
    // The one write is the tab list, which is local UI state and never synced.
    const writes = after.filter((c) => !READS.has(c.method));
    expect(writes.map((c) => [c.method, (c.input as { key?: string }).key])).toEqual([['ui.set', TABS_UI_KEY]]);
  });
});
