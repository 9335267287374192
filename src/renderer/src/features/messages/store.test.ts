import { describe, expect, it } from 'vitest';
import type { BranchMessage } from '@shared/types';
import { createAppStore } from '../../app/store';
import { chatItem, itemKey } from '../../app/workspace/items';
import { realCoreForTests } from '../../test/realCore';
import { sendMessage } from '../chat/actions';
import { closeTab, openChat } from '../workspace/actions';
import { refreshChangedMessages } from './actions';
import { mergeNewestPage } from './merge';
import { MESSAGE_PAGE_SIZE } from './store';

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

describe('on the real core', () => {
  const core = realCoreForTests();

  describe('messages slice', () => {
    async function seeded(count: number) {
      const session = await core().addSession({ title: 'Long' });
      await core().addChain(
        session.id,
        Array.from({ length: count }, (_, i) => ({
          role: i % 2 ? ('assistant' as const) : ('user' as const),
          content: `m${i}`,
        })),
      );
      const store = createAppStore(core().api);
      openChat(store, session.id);
      return { session, store };
    }

    it('loads the newest page, then prepends older pages until the root', async () => {
      const { session, store } = await seeded(MESSAGE_PAGE_SIZE + 5);
      await store.getState().ensureMessages(session.id);
      let entry = store.getState().messages[session.id]!;
      expect(entry.items).toHaveLength(MESSAGE_PAGE_SIZE);
      expect(entry.items.at(-1)!.content).toBe(`m${MESSAGE_PAGE_SIZE + 4}`);
      expect(entry.nextCursor).not.toBeNull();

      await store.getState().loadOlderMessages(session.id);
      entry = store.getState().messages[session.id]!;
      expect(entry.items.map((m) => m.content)).toEqual(
        Array.from({ length: MESSAGE_PAGE_SIZE + 5 }, (_, i) => `m${i}`),
      );
      expect(entry.nextCursor).toBeNull();
    });

    it('keeps loaded older pages when a new message arrives', async () => {
      const { session, store } = await seeded(MESSAGE_PAGE_SIZE + 5);
      await store.getState().ensureMessages(session.id);
      await store.getState().loadOlderMessages(session.id);
      await core().addMessage(session.id, 'assistant', 'newest');
      await store.getState().reloadMessages(session.id);
      const entry = store.getState().messages[session.id]!;
      expect(entry.items).toHaveLength(MESSAGE_PAGE_SIZE + 6);
      expect(entry.items[0]!.content).toBe('m0');
      expect(entry.items.at(-1)!.content).toBe('newest');
    });

    it('marks a background tab stale when its messages change, and reloads it when shown', async () => {
      const a = await core().addSession({ title: 'A' });
      const b = await core().addSession({ title: 'B' });
      const store = createAppStore(core().api);
      openChat(store, a.id);
      await store.getState().ensureMessages(a.id);
      openChat(store, b.id);
      await store.getState().ensureMessages(b.id);

      await core().addMessage(a.id, 'user', 'from elsewhere');
      const before = core().callsTo('messages.listBranch').length;
      refreshChangedMessages(store, a.id);
      expect(store.getState().messages[a.id]!.stale).toBe(true);
      expect(core().callsTo('messages.listBranch')).toHaveLength(before);

      store.getState().activateItem(itemKey(chatItem(a.id)));
      await store.getState().ensureMessages(a.id);
      expect(store.getState().messages[a.id]!.items.map((m) => m.content)).toEqual(['from elsewhere']);
    });

    it('does not bring back the messages of a tab closed while they were loading', async () => {
      const s = await core().addSession();
      const store = createAppStore(core().api);
      openChat(store, s.id);
      const release = core().holdNext('messages.listBranch');
      const loading = store.getState().ensureMessages(s.id);
      closeTab(store, itemKey(chatItem(s.id)));
      release();
      await loading;
      expect(store.getState().messages[s.id]).toBeUndefined();
    });
  });

  describe('sending', () => {
    it('gives the draft back when sending fails', async () => {
      const s = await core().addSession();
      const store = createAppStore(core().api);
      store.getState().setDraft(s.id, 'keep me');
      core().failNext('chat.send', 'db_unavailable', 'Lost connection to Confab. Reconnecting…');
      await expect(sendMessage(store, s.id)).resolves.toBe(false);
      expect(store.getState().drafts[s.id]).toBe('keep me');
      expect(store.getState().errors.map((e) => e.message)).toEqual(['Lost connection to Confab. Reconnecting…']);
    });

    it('does not send whitespace-only drafts', async () => {
      const s = await core().addSession();
      const store = createAppStore(core().api);
      store.getState().setDraft(s.id, '  \n ');
      await expect(sendMessage(store, s.id)).resolves.toBe(false);
      expect(core().callsTo('chat.send')).toEqual([]);
    });

    it('sends through chat.send and keeps the draft while the chat is still answering', async () => {
      await core().addProvider();
      const reply = core().providers.nextReply();
      const s = await core().addSession();
      const store = createAppStore(core().api);
      openChat(store, s.id);
      await store.getState().ensureMessages(s.id);
      store.getState().setDraft(s.id, 'first');
      await expect(sendMessage(store, s.id)).resolves.toBe(true);
      expect(core().callsTo('chat.send')).toEqual([{ sessionId: s.id, content: 'first' }]);
      const shown = store.getState().messages[s.id]!.items;
      expect(shown.map((m) => [m.role, m.content])).toEqual([
        ['user', 'first'],
        ['assistant', ''],
      ]);
      expect(store.getState().generating[s.id]).toBe(shown[1]!.id);
      await reply.started;

      store.getState().setDraft(s.id, 'second');
      await expect(sendMessage(store, s.id)).resolves.toBe(false);
      expect(store.getState().drafts[s.id]).toBe('second');
      expect(core().callsTo('chat.send')).toHaveLength(1);
      reply.end();
    });
  });
});
