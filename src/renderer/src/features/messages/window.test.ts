import { describe, expect, it } from 'vitest';
import type { Message } from '@shared/types';
import { FakeConfab } from '../../test/fakeApi';
import { MESSAGE_PAGE_SIZE } from './store';
import { createAppStore } from '../../app/store';

/** A 300-message chat: a jump to #100 shows a part that reaches neither end. */
function longChat(count = 300) {
  const fake = new FakeConfab();
  const session = fake.addSession({ title: 'Long' });
  const chain: Message[] = [];
  for (let i = 0; i < count; i++) chain.push(fake.addMessage(session.id, i % 2 ? 'assistant' : 'user', `#${i}`));
  const store = createAppStore(fake.api);
  const entry = () => store.getState().messages[session.id]!;
  const contents = () => entry().items.map((m) => m.content);
  return { fake, session, chain, store, entry, contents };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `#${from + i}`);

describe('messages: jumping into a long chat', () => {
  it('opens the tab, shows the page around the message and asks the list to mark it', async () => {
    const { session, chain, store, entry, contents } = longChat();
    expect(await store.getState().jumpToMessage(session.id, chain[100]!.id)).toBe(true);
    expect(store.getState().tabs.active).toBe(session.id);
    expect(contents()).toEqual(range(76, 126));
    expect(entry().focus).toMatchObject({ messageId: chain[100]!.id });
    expect(entry().nextCursor).not.toBeNull();
    expect(entry().newerCursor).toBe(chain[125]!.id);
    // Jumping again to the same message is a new request.
    const first = entry().focus!.seq;
    await store.getState().jumpToMessage(session.id, chain[100]!.id);
    expect(entry().focus!.seq).toBeGreaterThan(first);
  });

  it('pages older above and newer below until both ends', async () => {
    const { session, chain, store, entry, contents } = longChat();
    await store.getState().jumpToMessage(session.id, chain[100]!.id);
    await store.getState().loadOlderMessages(session.id);
    expect(contents()).toEqual(range(26, 126));
    await store.getState().loadNewerMessages(session.id);
    expect(contents()).toEqual(range(26, 176));
    for (let i = 0; i < 5 && entry().newerCursor; i++) await store.getState().loadNewerMessages(session.id);
    expect(contents().at(-1)).toBe('#299');
    expect(entry().newerCursor).toBeNull();
    expect(contents()).toEqual(range(26, 300));
  });

  it('re-reads a jumped-to part in place on a change, instead of leaving for the newest page', async () => {
    const { fake, session, chain, store, entry, contents } = longChat();
    await store.getState().jumpToMessage(session.id, chain[100]!.id);
    fake.messages.set(chain[101]!.id, { ...chain[101]!, content: 'edited elsewhere' });
    await store.getState().reloadMessages(session.id);
    expect(contents()[0]).toBe('#76');
    expect(contents()).toContain('edited elsewhere');
    expect(contents()).toHaveLength(50);
    expect(entry().newerCursor).toBe(chain[125]!.id);
    expect(fake.callsTo('messages.listBranch')).toHaveLength(0);
  });

  it('falls back to the newest page when the part left the shown branch', async () => {
    const { fake, session, chain, store, entry, contents } = longChat();
    await store.getState().jumpToMessage(session.id, chain[100]!.id);
    // Another view switched to a new root: nothing shown is on the branch any more.
    const root = fake.addMessage(session.id, 'user', 'a new start', { parentId: null });
    expect(fake.sessions.get(session.id)!.currentLeafId).toBe(root.id);
    await store.getState().loadNewerMessages(session.id);
    expect(contents()).toEqual(['a new start']);
    expect(entry().newerCursor).toBeNull();
    expect(entry().focus).toBeNull();
  });

  it('sending from a jumped-to part shows the newest page with the sent message', async () => {
    const { fake, session, chain, store, entry, contents } = longChat();
    await store.getState().jumpToMessage(session.id, chain[100]!.id);
    store.getState().setDraft(session.id, 'hello from the past');
    expect(await store.getState().sendMessage(session.id)).toBe(true);
    expect(entry().newerCursor).toBeNull();
    expect(entry().focus).toBeNull();
    expect(contents()).toHaveLength(MESSAGE_PAGE_SIZE);
    expect(contents().at(-2)).toBe('hello from the past');
    fake.finishReply(fake.activeReply(session.id)!);
  });

  it('a reload that started before the jump landed cannot undo it', async () => {
    const { fake, session, chain, store, contents } = longChat();
    store.getState().openTab(session.id);
    await store.getState().ensureMessages(session.id);
    // Before the jump: its answer is dropped.
    let releaseList = fake.holdNext('messages.listBranch');
    let reloading = store.getState().reloadMessages(session.id);
    await store.getState().jumpToMessage(session.id, chain[100]!.id);
    releaseList();
    await reloading;
    expect(contents()[0]).toBe('#76');

    // While the jump is under way (as its own messages.changed would start one): dropped too.
    await store.getState().showNewestMessages(session.id);
    const releaseLocate = fake.holdNext('messages.locate');
    const jumping = store.getState().jumpToMessage(session.id, chain[200]!.id);
    releaseList = fake.holdNext('messages.listBranch');
    reloading = store.getState().reloadMessages(session.id);
    releaseLocate();
    await jumping;
    releaseList();
    await reloading;
    expect(contents()[0]).toBe('#176');
  });

  it('reports a failed jump and leaves what was shown', async () => {
    const { fake, session, chain, store, contents } = longChat(10);
    store.getState().openTab(session.id);
    await store.getState().ensureMessages(session.id);
    fake.failNext('messages.locate', 'not_found', 'That message was deleted.');
    expect(await store.getState().jumpToMessage(session.id, chain[3]!.id)).toBe(false);
    expect(store.getState().errors.map((e) => e.message)).toEqual(['That message was deleted.']);
    expect(contents()).toEqual(range(0, 10));
  });
});
