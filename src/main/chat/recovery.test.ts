/**
 * History survives a crash mid-reply: the DB worker is killed while a reply streams, the core
 * starts again on the same data dir, and the reply is there, interrupted, with the text saved
 * so far, and can be generated again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, type FakeLlm } from '../../../tests/helpers/fakeLlm';
import { INTERRUPTED_MESSAGE } from './runner';

let fake: FakeLlm;
const dirs: string[] = [];

beforeAll(async () => {
  fake = await startFakeLlm();
});

afterAll(async () => {
  await fake?.close();
  for (const dir of dirs) removeDataDir(dir);
});

async function streamingCore(): Promise<{ chat: ChatCore; providerId: string }> {
  const chat = await startChatCore();
  dirs.push(chat.dataDir);
  await chat.api.settings.setChat({ autoTitle: false });
  const provider = await chat.api.providers.create({
    preset: 'custom',
    name: 'Fake',
    baseUrl: fake.openaiBaseUrl,
    apiKey: 'sk-recovery-key-123456',
    defaultModel: 'fake-small',
  });
  return { chat, providerId: provider.id };
}

describe('crash recovery', () => {
  it('a reply cut off by a crash is interrupted with its saved text, and regenerate works', async () => {
    const { chat, providerId } = await streamingCore();
    const session = await chat.api.sessions.create({ providerId });
    const chunks = Array.from({ length: 40 }, (_, i) => `w${i} `);
    fake.enqueue({ kind: 'slow', chunks, delayMs: 100 });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Tell me a long story' });
    // Wait until some of the reply is saved, then crash.
    let saved = '';
    while (saved.length < 12) {
      await new Promise((r) => setTimeout(r, 100));
      saved = (await chat.message(sent.assistantMessage.id)).content;
    }
    await chat.crash();
    // The old core notices its DB is gone and ends the reply without writing.
    const lost = await chat.done(sent.assistantMessage.id);
    expect(lost.status).toBe('interrupted');
    expect((await chat.api.chat.active({})).sessionIds).toEqual([]);

    const again = await startChatCore({ dataDir: chat.dataDir });
    try {
      const message = await again.message(sent.assistantMessage.id);
      expect(message.status).toBe('interrupted');
      expect(message.errorCode).toBe('interrupted');
      expect(message.content.length).toBeGreaterThanOrEqual(saved.length);
      expect(chunks.join('').startsWith(message.content)).toBe(true);
      expect(message.content.length).toBeLessThan(chunks.join('').length);
      expect((await again.message(sent.userMessage.id)).content).toBe('Tell me a long story');
      const run = await again.core.db.call('generation.runForMessage', { messageId: sent.assistantMessage.id });
      expect(run).toMatchObject({ id: sent.runId, status: 'interrupted' });

      fake.enqueue({ kind: 'text', chunks: ['A short story.'] });
      const retry = await again.api.chat.regenerate({ messageId: sent.assistantMessage.id });
      expect((await again.done(retry.assistantMessage.id)).status).toBe('complete');
      const siblings = await again.api.messages.siblings({ messageId: retry.assistantMessage.id });
      expect(siblings.map((m) => m.status)).toEqual(['interrupted', 'complete']);
      // A retry answers the question afresh; the cut-off text stays as the other branch.
      expect(fake.lastRequest()!.body!.messages).toEqual([{ role: 'user', content: 'Tell me a long story' }]);
    } finally {
      await again.close();
    }
  });

  it('closing the app mid-reply saves the text as interrupted', async () => {
    const { chat, providerId } = await streamingCore();
    const session = await chat.api.sessions.create({ providerId });
    fake.enqueue({ kind: 'hang', afterChunks: 2, chunks: ['Going ', 'strong ', 'never'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Go' });
    await chat.waitFor('chat.delta', (p) => p.messageId === sent.assistantMessage.id && p.text === 'strong ');
    await chat.close();
    expect(await chat.done(sent.assistantMessage.id)).toMatchObject({
      status: 'interrupted',
      errorMessage: INTERRUPTED_MESSAGE,
    });

    const again = await startChatCore({ dataDir: chat.dataDir });
    try {
      expect(await again.message(sent.assistantMessage.id)).toMatchObject({
        status: 'interrupted',
        content: 'Going strong ',
        errorCode: 'interrupted',
      });
      const run = await again.core.db.call('generation.runForMessage', { messageId: sent.assistantMessage.id });
      expect(run).toMatchObject({ status: 'interrupted', errorCode: 'interrupted' });
    } finally {
      await again.close();
    }
  });
});
