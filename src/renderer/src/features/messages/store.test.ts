import { describe, expect, it } from 'vitest';
import type { BranchMessage } from '@shared/types';
import { FakeConfab } from '../../test/fakeApi';
import { MESSAGE_PAGE_SIZE, mergeNewestPage } from './store';
import { createAppStore } from '../../app/store';

const msg = (id: string): BranchMessage => ({ id }) as BranchMessage;
const ids = (items: BranchMessage[]) => items.map((m) => m.id);

describe('mergeNewestPage', () => {
  it('keeps older pages the reader loaded when the new page still reaches into them', () => {
    const current = { items: ['a', 'b', 'c', 'd'].map(msg), nextCursor: 'older-than-a' };
    const merged = mergeNewestPage(current, { items: ['c', 'd', 'e'].map(msg), nextCursor: 'older-than-c' });
    expect(ids(merged.items)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(merged.nextCursor).toBe('older-than-a');
  });

  it('replaces everything when the branch changed or too much is new', () => {
    const current = { items: ['a', 'b'].map(msg), nextCursor: null };
    const merged = mergeNewestPage(current, { items: ['x', 'y'].map(msg), nextCursor: 'older-than-x' });
    expect(ids(merged.items)).toEqual(['x', 'y']);
    expect(merged.nextCursor).toBe('older-than-x');
  });

  it('empties the list when the branch is empty', () => {
    expect(mergeNewestPage({ items: [msg('a')], nextCursor: null }, { items: [], nextCursor: null })).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});

describe('messages slice', () => {
  function seeded(count: number) {
    const fake = new FakeConfab();
    const session = fake.addSession({ title: 'Long' });
    for (let i = 0; i < count; i++) fake.addMessage(session.id, i % 2 ? 'assistant' : 'user', `m${i}`);
    return { fake, session, store: createAppStore(fake.api) };
  }

  it('loads the newest page, then prepends older pages until the root', async () => {
    const { session, store } = seeded(MESSAGE_PAGE_SIZE + 5);
    await store.getState().ensureMessages(session.id);
    let entry = store.getState().messages[session.id]!;
    expect(entry.items).toHaveLength(MESSAGE_PAGE_SIZE);
    expect(entry.items.at(-1)!.content).toBe(`m${MESSAGE_PAGE_SIZE + 4}`);
    expect(entry.nextCursor).not.toBeNull();

    await store.getState().loadOlderMessages(session.id);
    entry = store.getState().messages[session.id]!;
    expect(entry.items.map((m) => m.content)).toEqual(Array.from({ length: MESSAGE_PAGE_SIZE + 5 }, (_, i) => `m${i}`));
    expect(entry.nextCursor).toBeNull();
  });

  it('keeps loaded older pages when a new message arrives', async () => {
    const { fake, session, store } = seeded(MESSAGE_PAGE_SIZE + 5);
    await store.getState().ensureMessages(session.id);
    await store.getState().loadOlderMessages(session.id);
    fake.addMessage(session.id, 'assistant', 'newest');
    await store.getState().reloadMessages(session.id);
    const entry = store.getState().messages[session.id]!;
    expect(entry.items).toHaveLength(MESSAGE_PAGE_SIZE + 6);
    expect(entry.items[0]!.content).toBe('m0');
    expect(entry.items.at(-1)!.content).toBe('newest');
  });

  it('marks a background tab stale on messages.changed and reloads it when shown', async () => {
    const fake = new FakeConfab();
    const a = fake.addSession({ title: 'A' });
    const b = fake.addSession({ title: 'B' });
    const store = createAppStore(fake.api);
    store.getState().openTab(a.id);
    await store.getState().ensureMessages(a.id);
    store.getState().openTab(b.id);
    await store.getState().ensureMessages(b.id);

    fake.addMessage(a.id, 'user', 'from elsewhere');
    const before = fake.callsTo('messages.listBranch').length;
    store.getState().handleMessagesChanged(a.id);
    expect(store.getState().messages[a.id]!.stale).toBe(true);
    expect(fake.callsTo('messages.listBranch')).toHaveLength(before);

    store.getState().activateTab(a.id);
    await store.getState().ensureMessages(a.id);
    expect(store.getState().messages[a.id]!.items.map((m) => m.content)).toEqual(['from elsewhere']);
  });

  it('does not bring back the messages of a tab closed while they were loading', async () => {
    const fake = new FakeConfab();
    const s = fake.addSession();
    const store = createAppStore(fake.api);
    store.getState().openTab(s.id);
    const release = fake.holdNext('messages.listBranch');
    const loading = store.getState().ensureMessages(s.id);
    store.getState().closeTab(s.id);
    release();
    await loading;
    expect(store.getState().messages[s.id]).toBeUndefined();
  });

  it('gives the draft back when sending fails', async () => {
    const fake = new FakeConfab();
    const s = fake.addSession();
    const store = createAppStore(fake.api);
    store.getState().setDraft(s.id, 'keep me');
    fake.failNext('chat.send', 'db_unavailable', 'Lost connection to Confab. Reconnecting…');
    await expect(store.getState().sendMessage(s.id)).resolves.toBe(false);
    expect(store.getState().drafts[s.id]).toBe('keep me');
    expect(store.getState().errors.map((e) => e.message)).toEqual(['Lost connection to Confab. Reconnecting…']);
  });

  it('does not send whitespace-only drafts', async () => {
    const fake = new FakeConfab();
    const s = fake.addSession();
    const store = createAppStore(fake.api);
    store.getState().setDraft(s.id, '  \n ');
    await expect(store.getState().sendMessage(s.id)).resolves.toBe(false);
    expect(fake.callsTo('chat.send')).toEqual([]);
  });

  it('sends through chat.send and keeps the draft while the chat is still answering', async () => {
    const fake = new FakeConfab();
    const s = fake.addSession();
    const store = createAppStore(fake.api);
    store.getState().setDraft(s.id, 'first');
    await expect(store.getState().sendMessage(s.id)).resolves.toBe(true);
    expect(fake.callsTo('chat.send')).toEqual([{ sessionId: s.id, content: 'first' }]);
    expect(store.getState().generating[s.id]).toBe(fake.activeReply(s.id));

    store.getState().setDraft(s.id, 'second');
    await expect(store.getState().sendMessage(s.id)).resolves.toBe(false);
    expect(store.getState().drafts[s.id]).toBe('second');
    expect(fake.callsTo('chat.send')).toHaveLength(1);
  });
});
