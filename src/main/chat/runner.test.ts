/**
 * The generation runner end to end: a real core (DB worker, PGlite), the real provider adapters
 * over HTTP to a local server that speaks the OpenAI and Anthropic streaming protocols.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfabError } from '@shared/errors';
import type { ProviderConfig, Session } from '@shared/types';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, DEFAULT_FAKE_USAGE, type FakeLlm, type FakeRequest } from '../../../tests/helpers/fakeLlm';

let fake: FakeLlm;
let chat: ChatCore;
let openai: ProviderConfig;
const KEY = 'sk-test-runner-0123456789abcdef';

beforeAll(async () => {
  fake = await startFakeLlm();
  chat = await startChatCore({ chat: { idleTimeoutMs: 3_000 } });
  // Titles are tested on their own; here no title request may take a scripted reply.
  await chat.api.settings.setChat({ autoTitle: false });
  openai = await chat.api.providers.create({
    preset: 'custom',
    name: 'Fake OpenAI',
    baseUrl: fake.openaiBaseUrl,
    apiKey: KEY,
    defaultModel: 'fake-small',
  });
});

afterAll(async () => {
  await chat?.close();
  removeDataDir(chat.dataDir);
  await fake?.close();
});

async function newSession(
  extra: { systemPrompt?: string; providerId?: string; model?: string } = {},
): Promise<Session> {
  return chat.api.sessions.create({
    providerId: extra.providerId ?? openai.id,
    model: extra.model,
    systemPrompt: extra.systemPrompt,
  });
}

const userText = (request: FakeRequest | undefined) =>
  request?.body?.messages?.filter((m) => m.role === 'user').at(-1)?.content;

async function rejection(promise: Promise<unknown>): Promise<ConfabError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return err as ConfabError;
}

describe('streaming a reply', () => {
  it('saves the text as it grows, at most every ~250 ms, then finalises tokens and timings', async () => {
    const session = await newSession();
    const chunks = Array.from({ length: 12 }, (_, i) => `part${i} `);
    fake.enqueue({ kind: 'slow', chunks, delayMs: 120 });
    const writes: number[] = [];
    const realCall = chat.core.db.call.bind(chat.core.db);
    const watched = vi.spyOn(chat.core.db, 'call').mockImplementation((method, input) => {
      if (method === 'messages.updateStreaming') writes.push(performance.now());
      return realCall(method, input);
    });
    try {
      const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Count for me' });
      expect(sent.userMessage).toMatchObject({ role: 'user', content: 'Count for me', status: 'complete' });
      expect(sent.assistantMessage).toMatchObject({
        role: 'assistant',
        status: 'streaming',
        parentId: sent.userMessage.id,
      });
      expect((await chat.api.chat.active({})).sessionIds).toContain(session.id);

      // While it streams, the DB holds a growing prefix of the reply.
      const seen: string[] = [];
      while (
        !chat.events.some(
          (e) => e.name === 'chat.done' && (e.payload as { messageId: string }).messageId === sent.assistantMessage.id,
        )
      ) {
        const m = await chat.message(sent.assistantMessage.id);
        if (m.status === 'streaming' && m.content) seen.push(m.content);
        await new Promise((r) => setTimeout(r, 100));
      }
      const done = await chat.done(sent.assistantMessage.id);
      expect(done).toEqual({
        sessionId: session.id,
        messageId: sent.assistantMessage.id,
        status: 'complete',
        errorCode: null,
        errorMessage: null,
      });
      const full = chunks.join('');
      expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
      for (const partial of seen) expect(full.startsWith(partial)).toBe(true);
      expect(seen.at(-1)!.length).toBeLessThan(full.length + 1);

      // Throttled: ~1.4 s of streaming at 12 deltas is a handful of writes, never closer than the interval.
      expect(writes.length).toBeGreaterThanOrEqual(3);
      expect(writes.length).toBeLessThan(chunks.length);
      const gaps = writes.slice(1).map((t, i) => t - writes[i]!);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(240);

      // Every delta reached the views, in order.
      const deltas = chat.events
        .filter(
          (e) => e.name === 'chat.delta' && (e.payload as { messageId: string }).messageId === sent.assistantMessage.id,
        )
        .map((e) => (e.payload as { text: string }).text);
      expect(deltas.join('')).toBe(full);
      const started = chat.events.findIndex(
        (e) => e.name === 'chat.started' && (e.payload as { messageId: string }).messageId === sent.assistantMessage.id,
      );
      expect(started).toBeGreaterThanOrEqual(0);

      const final = await chat.message(sent.assistantMessage.id);
      expect(final).toMatchObject({
        status: 'complete',
        content: full,
        tokensIn: DEFAULT_FAKE_USAGE.input,
        tokensOut: DEFAULT_FAKE_USAGE.output,
        tokensEstimated: false,
        providerId: openai.id,
        model: 'fake-small',
        errorCode: null,
      });
      const run = await chat.core.db.call('generation.runForMessage', { messageId: sent.assistantMessage.id });
      expect(run).toMatchObject({
        id: sent.runId,
        status: 'succeeded',
        providerId: openai.id,
        model: 'fake-small',
        tokensIn: 11,
        tokensOut: 7,
      });
      expect(run!.ttftMs).not.toBeNull();
      expect(run!.totalMs!).toBeGreaterThanOrEqual(12 * 120 - 150);
      expect(run!.ttftMs!).toBeLessThan(run!.totalMs!);
      expect(final.latencyMs).toBe(run!.ttftMs);
      expect(run!.finishedAt).not.toBeNull();

      const after = await chat.api.sessions.get({ id: session.id });
      expect(after).toMatchObject({
        currentLeafId: sent.assistantMessage.id,
        tokensIn: 11,
        tokensOut: 7,
        messageCount: 2,
      });
      expect((await chat.api.chat.active({})).sessionIds).not.toContain(session.id);

      // The request: the model, the question, usage asked for, the key as a bearer token.
      const request = fake.lastRequest()!;
      expect(request.body).toMatchObject({
        model: 'fake-small',
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(request.body!.messages).toEqual([{ role: 'user', content: 'Count for me' }]);
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      watched.mockRestore();
    }
  });

  it('estimates tokens, flagged, when the server reports none', async () => {
    const session = await newSession();
    fake.enqueue({ kind: 'text', chunks: ['Twelve chars', ' and more text'], usage: null });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Say something of known length' });
    await chat.done(sent.assistantMessage.id);
    const message = await chat.message(sent.assistantMessage.id);
    expect(message).toMatchObject({
      status: 'complete',
      tokensEstimated: true,
      tokensOut: Math.ceil('Twelve chars and more text'.length / 4),
    });
    expect(message.tokensIn).toBeGreaterThan(0);
    const run = await chat.core.db.call('generation.runForMessage', { messageId: sent.assistantMessage.id });
    expect(run).toMatchObject({ status: 'succeeded', tokensEstimated: true, tokensOut: message.tokensOut });
  });

  it('streams from an Anthropic server with its reported usage', async () => {
    const anthropic = await chat.api.providers.create({
      preset: 'anthropic',
      name: 'Fake Anthropic',
      baseUrl: fake.anthropicBaseUrl,
      apiKey: 'sk-ant-fake-000111222333',
      defaultModel: 'claude-fake',
    });
    const session = await newSession({ providerId: anthropic.id, systemPrompt: 'Be brief.' });
    fake.enqueue({ kind: 'text', chunks: ['Bon', 'jour'], usage: { input: 21, output: 3 } });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Greet me' });
    await chat.done(sent.assistantMessage.id);
    expect(await chat.message(sent.assistantMessage.id)).toMatchObject({
      status: 'complete',
      content: 'Bonjour',
      tokensIn: 21,
      tokensOut: 3,
      tokensEstimated: false,
      model: 'claude-fake',
    });
    const request = fake.lastRequest()!;
    expect(request.path).toBe('/v1/messages');
    const presented = request.headers['x-api-key'] ?? request.headers.authorization?.replace(/^Bearer /, '');
    expect(presented).toBe('sk-ant-fake-000111222333');
    expect(JSON.stringify(request.body!.system)).toContain('Be brief.');
  });
});

describe('stop', () => {
  it('keeps the partial text, marks the reply and the run cancelled, and frees the chat', async () => {
    const session = await newSession();
    fake.enqueue({ kind: 'hang', afterChunks: 2, chunks: ['Partial ', 'answer ', 'never sent'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Start and stall' });
    await chat.waitFor('chat.delta', (p) => p.messageId === sent.assistantMessage.id && p.text === 'answer ');
    expect(await chat.api.chat.stop({ sessionId: session.id })).toEqual({ stopped: true });
    // Stop resolves once the reply is final in the DB.
    expect(await chat.message(sent.assistantMessage.id)).toMatchObject({
      status: 'cancelled',
      content: 'Partial answer ',
      errorCode: null,
    });
    expect(await chat.done(sent.assistantMessage.id)).toMatchObject({ status: 'cancelled' });
    const run = await chat.core.db.call('generation.runForMessage', { messageId: sent.assistantMessage.id });
    expect(run).toMatchObject({ status: 'cancelled' });
    expect((await chat.api.chat.active({})).sessionIds).not.toContain(session.id);
    expect(await chat.api.chat.stop({ sessionId: session.id })).toEqual({ stopped: false });
    // The request to the server was really dropped.
    await vi.waitFor(() => expect(fake.openResponses()).toBe(0), { timeout: 5_000 });
  });
});

describe('branches', () => {
  it('regenerate makes a sibling answer, keeps the old one, and moves the leaf', async () => {
    const session = await newSession();
    fake.enqueue({ kind: 'text', chunks: ['First answer'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Question one' });
    await chat.done(sent.assistantMessage.id);

    fake.enqueue({ kind: 'text', chunks: ['Second answer'] });
    const again = await chat.api.chat.regenerate({ messageId: sent.assistantMessage.id });
    expect(again.assistantMessage).toMatchObject({ parentId: sent.userMessage.id, status: 'streaming' });
    await chat.done(again.assistantMessage.id);
    // The model was asked the same question, without the answer being replaced.
    expect(fake.lastRequest()!.body!.messages).toEqual([{ role: 'user', content: 'Question one' }]);

    const siblings = await chat.api.messages.siblings({ messageId: again.assistantMessage.id });
    expect(siblings.map((m) => m.content)).toEqual(['First answer', 'Second answer']);
    const branch = await chat.api.messages.listBranch({ sessionId: session.id });
    expect(branch.items.map((m) => m.content)).toEqual(['Question one', 'Second answer']);
    expect(branch.items[1]).toMatchObject({ siblingCount: 2, siblingIndex: 1 });
    expect((await chat.api.sessions.get({ id: session.id })).currentLeafId).toBe(again.assistantMessage.id);

    // Switching back to the first answer still works (the old branch is intact).
    await chat.api.sessions.setCurrentLeaf({ sessionId: session.id, messageId: sent.assistantMessage.id });
    expect((await chat.api.messages.listBranch({ sessionId: session.id })).items.map((m) => m.content)).toEqual([
      'Question one',
      'First answer',
    ]);
  });

  it('edit makes a sibling question with a new answer; the old exchange stays', async () => {
    const session = await newSession();
    fake.enqueue({ kind: 'text', chunks: ['Paris'] });
    const first = await chat.api.chat.send({ sessionId: session.id, content: 'Capital of France?' });
    await chat.done(first.assistantMessage.id);
    fake.enqueue({ kind: 'text', chunks: ['It is big.'] });
    const second = await chat.api.chat.send({ sessionId: session.id, content: 'How big is it?' });
    await chat.done(second.assistantMessage.id);

    fake.enqueue({ kind: 'text', chunks: ['Rome'] });
    const edited = await chat.api.chat.edit({ messageId: second.userMessage.id, content: 'And of Italy?' });
    expect(edited.userMessage).toMatchObject({
      parentId: second.userMessage.parentId,
      content: 'And of Italy?',
      role: 'user',
    });
    expect(edited.assistantMessage.parentId).toBe(edited.userMessage.id);
    await chat.done(edited.assistantMessage.id);
    // The edited question goes to the model with the history before it, not the replaced turn.
    expect(fake.lastRequest()!.body!.messages).toEqual([
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'And of Italy?' },
    ]);
    const branch = await chat.api.messages.listBranch({ sessionId: session.id });
    expect(branch.items.map((m) => m.content)).toEqual(['Capital of France?', 'Paris', 'And of Italy?', 'Rome']);
    expect(branch.items[2]).toMatchObject({ siblingCount: 2, siblingIndex: 1 });
    expect((await chat.api.messages.siblings({ messageId: second.userMessage.id })).map((m) => m.content)).toEqual([
      'How big is it?',
      'And of Italy?',
    ]);

    // Editing the very first question makes a second root.
    fake.enqueue({ kind: 'text', chunks: ['Berlin'] });
    const root = await chat.api.chat.edit({ messageId: first.userMessage.id, content: 'Capital of Germany?' });
    expect(root.userMessage.parentId).toBeNull();
    await chat.done(root.assistantMessage.id);
    expect((await chat.api.messages.listBranch({ sessionId: session.id })).items.map((m) => m.content)).toEqual([
      'Capital of Germany?',
      'Berlin',
    ]);
  });

  it('refuses to regenerate a question or edit a reply', async () => {
    const session = await newSession();
    fake.enqueue({ kind: 'text', chunks: ['ok'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'hi' });
    await chat.done(sent.assistantMessage.id);
    expect((await rejection(chat.api.chat.regenerate({ messageId: sent.userMessage.id }))).code).toBe('invalid_input');
    expect((await rejection(chat.api.chat.edit({ messageId: sent.assistantMessage.id, content: 'x' }))).code).toBe(
      'invalid_input',
    );
    expect((await rejection(chat.api.chat.send({ sessionId: session.id, content: '   \n' }))).code).toBe(
      'invalid_input',
    );
    expect((await chat.api.chat.active({})).sessionIds).not.toContain(session.id);
  });
});

describe('context', () => {
  it('keeps the system prompt and the newest question, drops the oldest turns first, leaves failed turns out', async () => {
    const budgetProvider = await chat.api.providers.create({
      preset: 'custom',
      name: 'Small context',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'fake-small',
      contextBudget: 600,
    });
    const session = await newSession({ providerId: budgetProvider.id, systemPrompt: 'You are terse.' });
    // Nine turns of ~100 tokens each (400 characters), oldest first, the last one a question.
    let parentId: string | null = null;
    const turn = (role: string, i: number) => `${role}${i} `.padEnd(400, 'x');
    for (let i = 0; i < 9; i++) {
      const role = i % 2 === 0 ? 'user' : 'assistant';
      const m: { id: string } = await chat.core.db.call('messages.append', {
        sessionId: session.id,
        parentId,
        role,
        content: turn(role, i),
      });
      parentId = m.id;
    }
    // A failed reply and a reply stopped before any text carry nothing for the model.
    const failed = await chat.core.db.call('messages.append', {
      sessionId: session.id,
      parentId,
      role: 'assistant',
      content: 'half an error',
      status: 'error',
    });
    const empty = await chat.core.db.call('messages.append', {
      sessionId: session.id,
      parentId: failed.id,
      role: 'assistant',
      content: '',
      status: 'cancelled',
    });
    const question = 'newest question '.padEnd(600, 'q');
    fake.enqueue({ kind: 'text', chunks: ['fine'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: question, parentId: empty.id });
    await chat.done(sent.assistantMessage.id);
    // Budget 600 (chars/4 + 4 a turn): system 8 and the new question 154; turn 8 went without a
    // reply (it failed), so it is left out whole rather than glued onto the question; then 104
    // each for turns 7, 6, 5 and 4, and turn 3 no longer fits.
    expect(fake.lastRequest()!.body!.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: turn('user', 4) },
      { role: 'assistant', content: turn('assistant', 5) },
      { role: 'user', content: turn('user', 6) },
      { role: 'assistant', content: turn('assistant', 7) },
      { role: 'user', content: question },
    ]);
  });

  it('sends a question larger than the whole budget rather than cutting it', async () => {
    const tiny = await chat.api.providers.create({
      preset: 'custom',
      name: 'Tiny context',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'fake-small',
      contextBudget: 256,
    });
    const session = await newSession({ providerId: tiny.id, systemPrompt: 'Sys' });
    const big = 'long '.repeat(1000);
    fake.enqueue({ kind: 'text', chunks: ['ok'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: big });
    await chat.done(sent.assistantMessage.id);
    expect(fake.lastRequest()!.body!.messages).toEqual([
      { role: 'system', content: 'Sys' },
      { role: 'user', content: big },
    ]);
  });
});

describe('concurrency', () => {
  it('answers one message per chat at a time', async () => {
    const session = await newSession();
    fake.enqueue({ kind: 'hang', afterChunks: 1, chunks: ['busy '] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'first' });
    await chat.waitFor('chat.delta', (p) => p.messageId === sent.assistantMessage.id);
    const err = await rejection(chat.api.chat.send({ sessionId: session.id, content: 'second' }));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/still writing a reply/);
    // The same chat named in upper case is the same chat: ids are normalised at the boundary.
    const shouted = await rejection(chat.api.chat.send({ sessionId: session.id.toUpperCase(), content: 'second' }));
    expect(shouted.code).toBe('conflict');
    expect((await rejection(chat.api.chat.regenerate({ messageId: sent.assistantMessage.id }))).code).toBe('conflict');
    expect((await rejection(chat.api.chat.edit({ messageId: sent.userMessage.id, content: 'x' }))).code).toBe(
      'conflict',
    );
    // The refused send saved nothing.
    expect((await chat.api.sessions.get({ id: session.id })).messageCount).toBe(2);
    await chat.api.chat.stop({ sessionId: session.id });
    fake.enqueue({ kind: 'text', chunks: ['now free'] });
    const next = await chat.api.chat.send({ sessionId: session.id, content: 'second' });
    expect((await chat.done(next.assistantMessage.id)).status).toBe('complete');
  });

  it('streams two chats at once', async () => {
    const a = await newSession();
    const b = await newSession();
    const script = (request: FakeRequest) => {
      const who = String(userText(request));
      return { kind: 'slow' as const, chunks: [`${who}-1 `, `${who}-2 `, `${who}-3 `, `${who}-4`], delayMs: 150 };
    };
    fake.enqueue(script, script);
    const [sa, sb] = await Promise.all([
      chat.api.chat.send({ sessionId: a.id, content: 'A' }),
      chat.api.chat.send({ sessionId: b.id, content: 'B' }),
    ]);
    expect((await chat.api.chat.active({})).sessionIds.sort()).toEqual([a.id, b.id].sort());
    const [da, db] = await Promise.all([chat.done(sa.assistantMessage.id), chat.done(sb.assistantMessage.id)]);
    expect([da.status, db.status]).toEqual(['complete', 'complete']);
    expect((await chat.message(sa.assistantMessage.id)).content).toBe('A-1 A-2 A-3 A-4');
    expect((await chat.message(sb.assistantMessage.id)).content).toBe('B-1 B-2 B-3 B-4');
    // Both were in flight together: their deltas interleave.
    const order = chat.events
      .filter((e) => e.name === 'chat.delta')
      .map((e) => (e.payload as { messageId: string }).messageId)
      .filter((id) => id === sa.assistantMessage.id || id === sb.assistantMessage.id);
    const firstB = order.indexOf(sb.assistantMessage.id);
    const lastA = order.lastIndexOf(sa.assistantMessage.id);
    const firstA = order.indexOf(sa.assistantMessage.id);
    const lastB = order.lastIndexOf(sb.assistantMessage.id);
    expect(firstB < lastA && firstA < lastB).toBe(true);
  });
});

describe('a reply at the size limit of a message', () => {
  let small: ChatCore;
  beforeAll(async () => {
    small = await startChatCore({ chat: { maxReplyChars: 20 } });
    await small.api.settings.setChat({ autoTitle: false });
  });
  afterAll(async () => {
    await small?.close();
    removeDataDir(small.dataDir);
  });

  it('stops at the limit with a sentence naming it, keeping the text up to the limit', async () => {
    const provider = await small.api.providers.create({
      preset: 'custom',
      name: 'Fake OpenAI',
      baseUrl: fake.openaiBaseUrl,
      apiKey: KEY,
      defaultModel: 'fake-small',
    });
    const session = await small.api.sessions.create({ providerId: provider.id });
    fake.enqueue({ kind: 'text', chunks: ['0123456789', 'abcdefghij', 'KLMNOPQRST', 'never seen'] });
    const sent = await small.api.chat.send({ sessionId: session.id, content: 'Talk a lot' });
    const done = await small.done(sent.assistantMessage.id);
    expect(done.status).toBe('error');
    expect(done.errorCode).toBe('too_long');
    expect(done.errorMessage).toMatch(/5,000,000-character limit/);
    expect((await small.message(sent.assistantMessage.id)).content).toBe('0123456789abcdefghij');
    const deltas = small.events
      .filter(
        (e) => e.name === 'chat.delta' && (e.payload as { messageId: string }).messageId === sent.assistantMessage.id,
      )
      .map((e) => (e.payload as { text: string }).text);
    expect(deltas.join('')).toBe('0123456789abcdefghij');
  });
});
