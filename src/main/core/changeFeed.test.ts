/**
 * The change feed end to end: the DB worker notes what each call changed, main announces it once,
 * with its source. Nothing announces by hand any more, so these are the only guarantees views
 * have that a change reaches them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '@shared/ids';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, type FakeLlm } from '../../../tests/helpers/fakeLlm';

let chat: ChatCore;
let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlm();
  chat = await startChatCore();
  await chat.api.settings.setChat({ autoTitle: false });
});
afterAll(async () => {
  await chat?.close();
  removeDataDir(chat.dataDir);
  await fake?.close();
});

/** Events from now on. */
function since() {
  const from = chat.events.length;
  return () => chat.events.slice(from).map((e) => [e.name, e.payload] as const);
}

describe('the change feed', () => {
  it('announces a created, renamed and trashed chat as local changes', async () => {
    const seen = since();
    const session = await chat.api.sessions.create({ title: 'Fed' });
    await chat.api.sessions.rename({ id: session.id, title: 'Fed again' });
    await chat.api.sessions.trash({ id: session.id });
    const changed = seen().filter(([name]) => name === 'sessions.changed');
    expect(changed.map(([, p]) => p)).toEqual([
      { ids: [session.id], source: 'local' },
      { ids: [session.id], source: 'local' },
      { ids: [session.id], source: 'local' },
    ]);
    // Trashing hid its messages too (none here): no message change was invented.
    expect(seen().filter(([name]) => name === 'messages.changed')).toEqual([]);
  });

  it('announces a turn once when it starts and once when it ends, never for each save while it streams', async () => {
    const provider = await chat.api.providers.create({
      preset: 'custom',
      name: 'Fake',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'm',
    });
    const session = await chat.api.sessions.create({ providerId: provider.id });
    fake.enqueue({ kind: 'slow', chunks: ['a ', 'b ', 'c ', 'd ', 'e ', 'f'], delayMs: 120 });
    const seen = since();
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Stream please' });
    await chat.done(sent.assistantMessage.id);
    const messageEvents = seen()
      .filter(([name]) => name === 'messages.changed')
      .map(([, p]) => p);
    expect(messageEvents).toEqual([
      { sessionId: session.id, messageIds: [sent.userMessage.id, sent.assistantMessage.id], source: 'local' },
      { sessionId: session.id, messageIds: [sent.assistantMessage.id], source: 'local' },
    ]);
    // The reply was saved several times while it streamed (chat.delta told views about those).
    expect(seen().filter(([name]) => name === 'chat.delta').length).toBe(6);
  });

  it('announces a branch switch as "reload this chat"', async () => {
    const provider = (await chat.api.providers.list({}))[0]!;
    const session = await chat.api.sessions.create({ providerId: provider.id });
    fake.enqueue({ kind: 'text', chunks: ['one'] }, { kind: 'text', chunks: ['two'] });
    const first = await chat.api.chat.send({ sessionId: session.id, content: 'Q' });
    await chat.done(first.assistantMessage.id);
    const again = await chat.api.chat.regenerate({ messageId: first.assistantMessage.id });
    await chat.done(again.assistantMessage.id);
    const seen = since();
    await chat.api.sessions.setCurrentLeaf({ sessionId: session.id, messageId: first.assistantMessage.id });
    expect(seen()).toContainEqual(['messages.changed', { sessionId: session.id, messageIds: [], source: 'local' }]);
  });

  it('announces providers and settings', async () => {
    const seen = since();
    const provider = await chat.api.providers.create({
      preset: 'custom',
      name: 'Another',
      baseUrl: fake.openaiBaseUrl,
    });
    await chat.api.settings.setChat({ contextBudget: 9000 });
    await chat.api.prices.set({ model: 'm', inputPerMTok: 1, outputPerMTok: 2 });
    expect(seen()).toEqual(
      expect.arrayContaining([
        ['providers.changed', { ids: [provider.id], source: 'local' }],
        ['settings.changed', { keys: ['chat'], source: 'local' }],
        ['settings.changed', { keys: ['prices'], source: 'local' }],
      ]),
    );
  });

  it('coalesces a bulk write at its source: one "reload" per chat, not one event per row', async () => {
    const sessionId = uuidv7();
    const at = (i: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();
    const messages = Array.from({ length: 300 }, (_, i) => ({
      id: uuidv7(),
      session_id: sessionId,
      parent_id: null,
      depth: 0,
      role: 'user',
      content: `bulk ${i}`,
      status: 'complete',
      model: null,
      provider_id: null,
      tokens_in: null,
      tokens_out: null,
      latency_ms: null,
      created_at: at(i),
    }));
    const session = {
      id: sessionId,
      title: 'Bulk',
      status: 'active' as const,
      pinned: false,
      tags: [],
      provider_id: null,
      model: null,
      current_leaf_id: null,
      created_at: at(0),
      last_activity_at: at(0),
    };
    const seen = since();
    await chat.core.db.call('bulk.insertCorpus', { sessions: [session], messages }, { source: 'import' });
    expect(seen()).toEqual([
      ['messages.changed', { sessionId, messageIds: [], source: 'import' }],
      ['sessions.changed', { ids: [sessionId], source: 'import' }],
    ]);
  });

  it('announces nothing for a write that failed and rolled back', async () => {
    const seen = since();
    await expect(chat.api.sessions.setCurrentLeaf({ sessionId: uuidv7(), messageId: uuidv7() })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(seen()).toEqual([]);
  });
});
