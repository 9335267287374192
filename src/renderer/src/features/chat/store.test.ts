import { describe, expect, it } from 'vitest';
import type { BranchMessage } from '@shared/types';
import { createAppStore } from '../../app/store';
import { fakeApi } from '../../test/fakeApi';
import { realCoreForTests } from '../../test/realCore';
import { aBranch, aSummary, onePage } from '../../test/seed';
import { openChat } from '../workspace/actions';
import { editMessage, regenerateReply, replyFinished, sendMessage, stopReply, switchBranch } from './actions';

/** A frame scheduler the test advances by hand. */
function manualFrames() {
  const queued: (() => void)[] = [];
  return {
    schedule: (flush: () => void) => void queued.push(flush),
    get queued() {
      return queued.length;
    },
    run() {
      for (const flush of queued.splice(0)) flush();
    },
  };
}

const MESSAGE = '00000000-0000-7000-8000-0000000000aa';

describe('chat slice: streaming', () => {
  it('batches deltas into one store update per frame, appending them in order', () => {
    const session = aSummary();
    const frames = manualFrames();
    const store = createAppStore(fakeApi().api, { scheduleFrame: frames.schedule });
    store.getState().handleChatStarted({ sessionId: session.id, messageId: MESSAGE });
    expect(store.getState().generating[session.id]).toBe(MESSAGE);

    let updates = 0;
    const unsubscribe = store.subscribe(() => updates++);
    for (const text of ['Hel', 'lo', ',', ' wor', 'ld']) {
      store.getState().handleChatDelta({ sessionId: session.id, messageId: MESSAGE, text });
    }
    expect(frames.queued).toBe(1);
    expect(store.getState().streams[MESSAGE]!.text).toBe('');
    expect(updates).toBe(0);

    frames.run();
    expect(store.getState().streams[MESSAGE]!.text).toBe('Hello, world');
    expect(updates).toBe(1);

    store.getState().handleChatDelta({ sessionId: session.id, messageId: MESSAGE, text: '!' });
    frames.run();
    expect(store.getState().streams[MESSAGE]!.text).toBe('Hello, world!');
    expect(updates).toBe(2);
    unsubscribe();
  });

  it('on chat.done shows what was pending, re-reads the branch, then drops the live text', async () => {
    const session = aSummary();
    const [question, streaming] = aBranch(session.id, [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '', status: 'streaming' },
    ]) as [BranchMessage, BranchMessage];
    let answer = streaming;
    const fake = fakeApi({ 'messages.listBranch': () => onePage([question, answer]) });
    const store = createAppStore(fake.api, { scheduleFrame: () => {} });
    openChat(store, session.id);
    await store.getState().ensureMessages(session.id);
    store.getState().handleChatStarted({ sessionId: session.id, messageId: answer.id });

    store.getState().handleChatDelta({ sessionId: session.id, messageId: answer.id, text: 'Hello' });
    const reads = fake.callsTo('messages.listBranch').length;
    // Main saved the final copy before announcing the end.
    answer = { ...answer, content: 'Hello there', status: 'complete' };
    const done = replyFinished(store, {
      sessionId: session.id,
      messageId: answer.id,
      status: 'complete',
      errorCode: null,
      errorMessage: null,
    });
    // Pending text is flushed at once, without waiting for a frame.
    expect(store.getState().streams[answer.id]!.text).toBe('Hello');
    expect(store.getState().generating[session.id]).toBeUndefined();
    await done;
    expect(fake.callsTo('messages.listBranch').length).toBeGreaterThan(reads);
    expect(store.getState().streams[answer.id]).toBeUndefined();
    const shown = store.getState().messages[session.id]!.items.at(-1)!;
    expect([shown.content, shown.status]).toEqual(['Hello there', 'complete']);
  });

  it('continues from the saved text when it joins a reply mid-stream', async () => {
    const session = aSummary();
    const branch = aBranch(session.id, [
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'Once upon', status: 'streaming' },
    ]);
    const reply = branch[1]!;
    const frames = manualFrames();
    const fake = fakeApi({ 'messages.listBranch': () => onePage(branch) });
    const store = createAppStore(fake.api, { scheduleFrame: frames.schedule });
    openChat(store, session.id);
    await store.getState().ensureMessages(session.id);

    store.getState().handleChatDelta({ sessionId: session.id, messageId: reply.id, text: ' a time' });
    frames.run();
    expect(store.getState().streams[reply.id]!.text).toBe('Once upon a time');
    expect(store.getState().generating[session.id]).toBe(reply.id);
  });

  it('marks chats that are answering at startup from chat.active', async () => {
    const session = aSummary();
    const store = createAppStore(fakeApi({ 'chat.active': () => ({ sessionIds: [session.id] }) }).api);
    await store.getState().loadActiveChats();
    expect(store.getState().generating).toEqual({ [session.id]: null });
  });

  it('stop asks main to stop; a stop that finds nothing running clears a stuck indicator', async () => {
    const session = aSummary();
    const fake = fakeApi({ 'chat.stop': () => ({ stopped: false }) });
    const store = createAppStore(fake.api);
    store.getState().handleChatStarted({ sessionId: session.id, messageId: MESSAGE });
    await stopReply(store, session.id);
    expect(fake.callsTo('chat.stop')).toEqual([{ sessionId: session.id }]);
    expect(store.getState().generating[session.id]).toBeUndefined();
  });
});

describe('on the real core', () => {
  const core = realCoreForTests();

  it('does not mark a chat busy again when chat.done arrived before the send answered', async () => {
    // No provider: main saves the message and ends its reply with an error at once.
    const session = await core().addSession();
    const store = createAppStore(core().api);
    const off = core().api.on('chat.done', (event) => void replyFinished(store, event));
    const release = core().holdNext('chat.send');
    store.getState().setDraft(session.id, 'fast failure');
    const sending = sendMessage(store, session.id);
    // The answer is held back here, in the renderer; main already ran the call and ended the reply.
    const done = core().chat.waitFor('chat.done', (event) => event.sessionId === session.id);
    release();
    await done;
    await sending;
    off();
    expect(store.getState().generating[session.id]).toBeUndefined();
  });

  describe('branches', () => {
    it('switches to the previous and next sibling through setCurrentLeaf', async () => {
      const session = await core().addSession({ title: 'Chat' });
      const question = await core().addMessage(session.id, 'user', 'Q');
      const first = await core().addMessage(session.id, 'assistant', 'A1', { parentId: question.id });
      const second = await core().addMessage(session.id, 'assistant', 'A2', { parentId: question.id });
      const third = await core().addMessage(session.id, 'assistant', 'A3', { parentId: question.id });
      await core().direct.sessions.setCurrentLeaf({ sessionId: session.id, messageId: second.id });
      const store = createAppStore(core().api);
      openChat(store, session.id);
      await store.getState().ensureMessages(session.id);
      const before = core().callsTo('sessions.setCurrentLeaf').length;
      const switched = () => core().callsTo('sessions.setCurrentLeaf').slice(before);

      await switchBranch(store, session.id, second.id, -1);
      expect(switched()).toEqual([{ sessionId: session.id, messageId: first.id }]);
      expect(store.getState().messages[session.id]!.items.map((m) => m.content)).toEqual(['Q', 'A1']);
      expect(store.getState().sessionsById[session.id]!.currentLeafId).toBe(first.id);

      await switchBranch(store, session.id, first.id, 1);
      await switchBranch(store, session.id, second.id, 1);
      expect(switched().at(-1)).toEqual({ sessionId: session.id, messageId: third.id });
      const last = store.getState().messages[session.id]!.items.at(-1)!;
      expect([last.content, last.siblingIndex, last.siblingCount]).toEqual(['A3', 2, 3]);

      // Past the end there is nothing to switch to.
      await switchBranch(store, session.id, third.id, 1);
      expect(switched()).toHaveLength(3);
    });

    it('regenerate and edit start a reply and show the new branch', async () => {
      await core().addProvider();
      const session = await core().addSession();
      const question = await core().addMessage(session.id, 'user', 'Q');
      const answer = await core().addMessage(session.id, 'assistant', 'A1');
      const store = createAppStore(core().api);
      openChat(store, session.id);
      await store.getState().ensureMessages(session.id);

      const regenerated = core().providers.nextReply();
      await expect(regenerateReply(store, session.id, answer.id)).resolves.toBe(true);
      expect(core().callsTo('chat.regenerate')).toEqual([{ messageId: answer.id }]);
      const newAnswer = store.getState().messages[session.id]!.items.at(-1)!;
      expect(store.getState().generating[session.id]).toBe(newAnswer.id);
      expect([newAnswer.siblingIndex, newAnswer.siblingCount]).toEqual([1, 2]);
      const done = core().chat.done(newAnswer.id);
      regenerated.push('A2').end();
      await done;

      // Held open so the new reply is still empty when we look (an echo could finish first).
      const edited = core().providers.nextReply();
      await expect(editMessage(store, session.id, question.id, 'Q, better')).resolves.toBe(true);
      expect(core().callsTo('chat.edit')).toEqual([{ messageId: question.id, content: 'Q, better' }]);
      const items = store.getState().messages[session.id]!.items;
      expect(items.map((m) => [m.role, m.content])).toEqual([
        ['user', 'Q, better'],
        ['assistant', ''],
      ]);
      expect(items[0]!.siblingCount).toBe(2);
      const editedDone = core().chat.done(items[1]!.id);
      edited.push('A3').end();
      await editedDone;
    });

    it('reports a refused regenerate (the chat is busy) instead of failing silently', async () => {
      await core().addProvider();
      const session = await core().addSession();
      await core().addMessage(session.id, 'user', 'Q');
      const answer = await core().addMessage(session.id, 'assistant', 'A1');
      const busy = core().providers.nextReply();
      await core().direct.chat.regenerate({ messageId: answer.id });
      await busy.started;
      const store = createAppStore(core().api);
      await expect(store.getState().regenerate(session.id, answer.id)).resolves.toBe(false);
      expect(store.getState().errors.map((e) => e.message)).toEqual([expect.stringContaining('still writing a reply')]);
      busy.end();
    });
  });
});
