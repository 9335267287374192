import { describe, expect, it } from 'vitest';
import { FakeConfab } from '../../test/fakeApi';
import { createAppStore } from '../../app/store';

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

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const fake = new FakeConfab();
  const session = fake.addSession({ title: 'Chat' });
  const frames = manualFrames();
  const store = createAppStore(fake.api, { scheduleFrame: frames.schedule });
  return { fake, session, frames, store };
}

describe('chat slice: streaming', () => {
  it('batches deltas into one store update per frame, appending them in order', async () => {
    const { session, frames, store } = setup();
    const messageId = '00000000-0000-7000-8000-0000000000aa';
    store.getState().handleChatStarted({ sessionId: session.id, messageId });
    expect(store.getState().generating[session.id]).toBe(messageId);

    let updates = 0;
    const unsubscribe = store.subscribe(() => updates++);
    for (const text of ['Hel', 'lo', ',', ' wor', 'ld']) {
      store.getState().handleChatDelta({ sessionId: session.id, messageId, text });
    }
    expect(frames.queued).toBe(1);
    expect(store.getState().streams[messageId]!.text).toBe('');
    expect(updates).toBe(0);

    frames.run();
    expect(store.getState().streams[messageId]!.text).toBe('Hello, world');
    expect(updates).toBe(1);

    store.getState().handleChatDelta({ sessionId: session.id, messageId, text: '!' });
    frames.run();
    expect(store.getState().streams[messageId]!.text).toBe('Hello, world!');
    expect(updates).toBe(2);
    unsubscribe();
  });

  it('on chat.done shows what was pending, re-reads the branch, then drops the live text', async () => {
    const { fake, session, store } = setup();
    store.getState().openTab(session.id);
    await store.getState().ensureMessages(session.id);
    store.getState().setDraft(session.id, 'Hi');
    await store.getState().sendMessage(session.id);
    const messageId = fake.activeReply(session.id)!;
    expect(store.getState().generating[session.id]).toBe(messageId);

    store.getState().handleChatDelta({ sessionId: session.id, messageId, text: 'Hello' });
    const reads = fake.callsTo('messages.listBranch').length;
    fake.messages.set(messageId, { ...fake.messages.get(messageId)!, content: 'Hello there', status: 'complete' });
    const done = store.getState().handleChatDone({
      sessionId: session.id,
      messageId,
      status: 'complete',
      errorCode: null,
      errorMessage: null,
    });
    // Pending text is flushed at once, without waiting for a frame.
    expect(store.getState().streams[messageId]!.text).toBe('Hello');
    expect(store.getState().generating[session.id]).toBeUndefined();
    await done;
    expect(fake.callsTo('messages.listBranch').length).toBeGreaterThan(reads);
    expect(store.getState().streams[messageId]).toBeUndefined();
    const shown = store.getState().messages[session.id]!.items.at(-1)!;
    expect([shown.content, shown.status]).toEqual(['Hello there', 'complete']);
  });

  it('continues from the saved text when it joins a reply mid-stream', async () => {
    const { fake, session, frames, store } = setup();
    fake.addMessage(session.id, 'user', 'Q');
    const reply = fake.addMessage(session.id, 'assistant', 'Once upon', { status: 'streaming' });
    store.getState().openTab(session.id);
    await store.getState().ensureMessages(session.id);

    store.getState().handleChatDelta({ sessionId: session.id, messageId: reply.id, text: ' a time' });
    frames.run();
    expect(store.getState().streams[reply.id]!.text).toBe('Once upon a time');
    expect(store.getState().generating[session.id]).toBe(reply.id);
  });

  it('marks chats that are answering at startup from chat.active', async () => {
    const { fake, session, store } = setup();
    fake.active.set(session.id, '00000000-0000-7000-8000-0000000000bb');
    await store.getState().loadActiveChats();
    expect(store.getState().generating).toEqual({ [session.id]: null });
  });

  it('does not mark a chat busy again when chat.done arrived before the send answered', async () => {
    const { fake, session, store } = setup();
    const release = fake.holdNext('chat.send');
    store.getState().setDraft(session.id, 'fast failure');
    const sending = store.getState().sendMessage(session.id);
    await tick();
    release();
    // Let the fake create the messages, then end the reply before the answer is read.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const id = fake.activeReply(session.id);
        if (!id) return;
        clearInterval(timer);
        void store.getState().handleChatDone({
          sessionId: session.id,
          messageId: id,
          status: 'error',
          errorCode: 'no_provider',
          errorMessage: 'No model is chosen for this chat.',
        });
        resolve();
      }, 0);
    });
    await sending;
    expect(store.getState().generating[session.id]).toBeUndefined();
  });

  it('stop asks main to stop; a stop that finds nothing running clears a stuck indicator', async () => {
    const { fake, session, store } = setup();
    store.getState().handleChatStarted({ sessionId: session.id, messageId: '00000000-0000-7000-8000-0000000000cc' });
    await store.getState().stopGeneration(session.id);
    expect(fake.callsTo('chat.stop')).toEqual([{ sessionId: session.id }]);
    expect(store.getState().generating[session.id]).toBeUndefined();
  });
});

describe('chat slice: branches', () => {
  it('switches to the previous and next sibling through setCurrentLeaf', async () => {
    const { fake, session, store } = setup();
    const question = fake.addMessage(session.id, 'user', 'Q');
    const first = fake.addMessage(session.id, 'assistant', 'A1', { parentId: question.id });
    const second = fake.addMessage(session.id, 'assistant', 'A2', { parentId: question.id });
    const third = fake.addMessage(session.id, 'assistant', 'A3', { parentId: question.id });
    fake.sessions.set(session.id, { ...fake.sessions.get(session.id)!, currentLeafId: second.id });
    store.getState().openTab(session.id);
    await store.getState().ensureMessages(session.id);

    await store.getState().switchBranch(session.id, second.id, -1);
    expect(fake.callsTo('sessions.setCurrentLeaf')).toEqual([{ sessionId: session.id, messageId: first.id }]);
    expect(store.getState().messages[session.id]!.items.map((m) => m.content)).toEqual(['Q', 'A1']);
    expect(store.getState().sessionsById[session.id]!.currentLeafId).toBe(first.id);

    await store.getState().switchBranch(session.id, first.id, 1);
    await store.getState().switchBranch(session.id, second.id, 1);
    expect(fake.callsTo('sessions.setCurrentLeaf').at(-1)).toEqual({ sessionId: session.id, messageId: third.id });
    const last = store.getState().messages[session.id]!.items.at(-1)!;
    expect([last.content, last.siblingIndex, last.siblingCount]).toEqual(['A3', 2, 3]);

    // Past the end there is nothing to switch to.
    await store.getState().switchBranch(session.id, third.id, 1);
    expect(fake.callsTo('sessions.setCurrentLeaf')).toHaveLength(3);
  });

  it('regenerate and edit start a reply and show the new branch', async () => {
    const { fake, session, store } = setup();
    const question = fake.addMessage(session.id, 'user', 'Q');
    const answer = fake.addMessage(session.id, 'assistant', 'A1');
    store.getState().openTab(session.id);
    await store.getState().ensureMessages(session.id);

    await expect(store.getState().regenerate(session.id, answer.id)).resolves.toBe(true);
    expect(fake.callsTo('chat.regenerate')).toEqual([{ messageId: answer.id }]);
    const regenerated = fake.activeReply(session.id)!;
    expect(store.getState().generating[session.id]).toBe(regenerated);
    fake.finishReply(regenerated, { content: 'A2' });
    await tick();

    await expect(store.getState().editMessage(session.id, question.id, 'Q, better')).resolves.toBe(true);
    expect(fake.callsTo('chat.edit')).toEqual([{ messageId: question.id, content: 'Q, better' }]);
    const items = store.getState().messages[session.id]!.items;
    expect(items.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Q, better'],
      ['assistant', ''],
    ]);
    expect(items[0]!.siblingCount).toBe(2);
  });

  it('reports a refused regenerate (the chat is busy) instead of failing silently', async () => {
    const { fake, session, store } = setup();
    fake.addMessage(session.id, 'user', 'Q');
    const answer = fake.addMessage(session.id, 'assistant', 'A1');
    fake.failNext('chat.regenerate', 'conflict', 'This chat is still writing a reply.');
    await expect(store.getState().regenerate(session.id, answer.id)).resolves.toBe(false);
    expect(store.getState().errors.map((e) => e.message)).toEqual(['This chat is still writing a reply.']);
  });
});
