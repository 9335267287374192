import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../app/store';
import { realCoreForTests } from '../../test/realCore';
import { sendMessage } from '../chat/actions';
import { activeChatId } from '../workspace/store';
import { openChat } from '../workspace/actions';
import { jumpToMessage } from './actions';
import { MESSAGE_PAGE_SIZE } from './store';

const core = realCoreForTests();

/** A 300-message chat: a jump to #100 shows a part that reaches neither end. */
async function longChat(count = 300) {
  const session = await core().addSession({ title: 'Long' });
  const chain = await core().addChain(
    session.id,
    Array.from({ length: count }, (_, i) => ({
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `#${i}`,
    })),
  );
  const store = createAppStore(core().api);
  const entry = () => store.getState().messages[session.id]!;
  const contents = () => entry().items.map((m) => m.content);
  return { session, chain, store, entry, contents };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `#${from + i}`);

describe('messages: jumping into a long chat, on the real core', () => {
  it('opens the tab, shows the page around the message and asks the list to mark it', async () => {
    const { session, chain, store, entry, contents } = await longChat();
    expect(await jumpToMessage(store, session.id, chain[100]!.id)).toBe(true);
    expect(activeChatId(store.getState())).toBe(session.id);
    expect(contents()).toEqual(range(76, 126));
    expect(entry().focus).toMatchObject({ messageId: chain[100]!.id });
    expect(entry().nextCursor).not.toBeNull();
    expect(entry().newerCursor).toBe(chain[125]!.id);
    // Jumping again to the same message is a new request.
    const first = entry().focus!.seq;
    await jumpToMessage(store, session.id, chain[100]!.id);
    expect(entry().focus!.seq).toBeGreaterThan(first);
  });

  it('pages older above and newer below until both ends', async () => {
    const { session, chain, store, entry, contents } = await longChat();
    await jumpToMessage(store, session.id, chain[100]!.id);
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
    const { session, chain, store, entry, contents } = await longChat();
    await jumpToMessage(store, session.id, chain[100]!.id);
    await core().finishMessage(chain[101]!.id, { content: 'edited elsewhere' });
    await store.getState().reloadMessages(session.id);
    expect(contents()[0]).toBe('#76');
    expect(contents()).toContain('edited elsewhere');
    expect(contents()).toHaveLength(50);
    expect(entry().newerCursor).toBe(chain[125]!.id);
    expect(core().callsTo('messages.listBranch')).toHaveLength(0);
  });

  it('falls back to the newest page when the part left the shown branch', async () => {
    const { session, chain, store, entry, contents } = await longChat();
    await jumpToMessage(store, session.id, chain[100]!.id);
    // Another view switched to a new root: nothing shown is on the branch any more.
    await core().addMessage(session.id, 'user', 'a new start', { parentId: null });
    await store.getState().loadNewerMessages(session.id);
    expect(contents()).toEqual(['a new start']);
    expect(entry().newerCursor).toBeNull();
    expect(entry().focus).toBeNull();
  });

  it('sending from a jumped-to part shows the newest page with the sent message', async () => {
    await core().addProvider();
    const { session, chain, store, entry, contents } = await longChat();
    await jumpToMessage(store, session.id, chain[100]!.id);
    store.getState().setDraft(session.id, 'hello from the past');
    expect(await sendMessage(store, session.id)).toBe(true);
    expect(entry().newerCursor).toBeNull();
    expect(entry().focus).toBeNull();
    expect(contents()).toHaveLength(MESSAGE_PAGE_SIZE);
    expect(contents().at(-2)).toBe('hello from the past');
  });

  it('a reload that started before the jump landed cannot undo it', async () => {
    const { session, chain, store, contents } = await longChat();
    openChat(store, session.id);
    await store.getState().ensureMessages(session.id);
    // Before the jump: its answer is dropped.
    let releaseList = core().holdNext('messages.listBranch');
    let reloading = store.getState().reloadMessages(session.id);
    await jumpToMessage(store, session.id, chain[100]!.id);
    releaseList();
    await reloading;
    expect(contents()[0]).toBe('#76');

    // While the jump is under way (as its own messages.changed would start one): dropped too.
    await store.getState().showNewestMessages(session.id);
    const releaseLocate = core().holdNext('messages.locate');
    const jumping = jumpToMessage(store, session.id, chain[200]!.id);
    releaseList = core().holdNext('messages.listBranch');
    reloading = store.getState().reloadMessages(session.id);
    releaseLocate();
    await jumping;
    releaseList();
    await reloading;
    expect(contents()[0]).toBe('#176');
  });

  it('reports a failed jump and leaves what was shown', async () => {
    const { session, chain, store, contents } = await longChat(10);
    openChat(store, session.id);
    await store.getState().ensureMessages(session.id);
    core().failNext('messages.locate', 'not_found', 'That message was deleted.');
    expect(await jumpToMessage(store, session.id, chain[3]!.id)).toBe(false);
    expect(store.getState().errors.map((e) => e.message)).toEqual(['That message was deleted.']);
    expect(contents()).toEqual(range(0, 10));
  });
});
