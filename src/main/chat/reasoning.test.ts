/**
 * Reasoning and sampling parameters through the real runner and adapters, against a server that
 * speaks the OpenAI and Anthropic streaming formats: reasoning is kept apart from the answer (and
 * out of the next request), parameters reach both provider kinds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '@shared/types';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, type FakeLlm } from '../../../tests/helpers/fakeLlm';

let fake: FakeLlm;
let chat: ChatCore;
let openai: ProviderConfig;
let anthropic: ProviderConfig;

beforeAll(async () => {
  fake = await startFakeLlm();
  chat = await startChatCore();
  await chat.api.settings.setChat({ autoTitle: false });
  openai = await chat.api.providers.create({ preset: 'custom', name: 'Local R1', baseUrl: fake.openaiBaseUrl, defaultModel: 'r1' });
  anthropic = await chat.api.providers.create({
    preset: 'anthropic',
    baseUrl: fake.anthropicBaseUrl,
    apiKey: 'sk-ant-test-0123456789abcdef',
    defaultModel: 'claude-fake',
  });
});
afterAll(async () => {
  await chat?.close();
  removeDataDir(chat.dataDir);
  await fake?.close();
});

const reasoningDeltas = (messageId: string) =>
  chat.events
    .filter((e) => e.name === 'chat.delta' && (e.payload as { messageId: string }).messageId === messageId)
    .map((e) => (e.payload as { reasoning?: string }).reasoning ?? '')
    .join('');

describe('reasoning', () => {
  it('keeps reasoning_content apart from the answer, streams it, and never sends it back', async () => {
    const session = await chat.api.sessions.create({ providerId: openai.id });
    fake.enqueue({ kind: 'text', reasoning: ['First, ', 'think.'], chunks: ['Four.'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: '2+2?' });
    await chat.done(sent.assistantMessage.id);
    expect(await chat.message(sent.assistantMessage.id)).toMatchObject({ content: 'Four.', reasoning: 'First, think.' });
    expect(reasoningDeltas(sent.assistantMessage.id)).toBe('First, think.');
    fake.enqueue({ kind: 'text', chunks: ['Six.'] });
    const next = await chat.api.chat.send({ sessionId: session.id, content: '3+3?' });
    await chat.done(next.assistantMessage.id);
    expect(fake.lastRequest()!.body!.messages).toEqual([
      { role: 'user', content: '2+2?' },
      { role: 'assistant', content: 'Four.' },
      { role: 'user', content: '3+3?' },
    ]);
  });

  it('splits a <think> block a local model writes into its answer', async () => {
    const session = await chat.api.sessions.create({ providerId: openai.id });
    fake.enqueue({ kind: 'text', chunks: ['<thi', 'nk>Hmm, greet', ' back.</think>\n\n', 'Hello!'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Hi' });
    await chat.done(sent.assistantMessage.id);
    expect(await chat.message(sent.assistantMessage.id)).toMatchObject({ content: 'Hello!', reasoning: 'Hmm, greet back.' });
  });

  it('keeps an Anthropic thinking block as reasoning', async () => {
    const session = await chat.api.sessions.create({ providerId: anthropic.id });
    fake.enqueue({ kind: 'text', reasoning: ['The user wants ', 'a haiku.'], chunks: ['Autumn ', 'moon'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Haiku please' });
    expect((await chat.done(sent.assistantMessage.id)).status).toBe('complete');
    expect(await chat.message(sent.assistantMessage.id)).toMatchObject({
      content: 'Autumn moon',
      reasoning: 'The user wants a haiku.',
    });
  });
});

describe('sampling parameters', () => {
  it("sends the chat's parameters over the provider's, and clears one back to the default", async () => {
    await chat.api.providers.update({ id: openai.id, params: { temperature: 0.2, maxOutputTokens: 500 } });
    const session = await chat.api.sessions.create({ providerId: openai.id });
    const updated = await chat.api.sessions.update({ id: session.id, params: { temperature: 1.1, topP: 0.9 } });
    expect(updated.params).toEqual({ temperature: 1.1, topP: 0.9 });
    fake.enqueue({ kind: 'text', chunks: ['ok'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Go' });
    await chat.done(sent.assistantMessage.id);
    expect(fake.lastRequest()!.body).toMatchObject({ temperature: 1.1, top_p: 0.9, max_tokens: 500 });

    expect((await chat.api.sessions.update({ id: session.id, params: { temperature: null } })).params).toEqual({ topP: 0.9 });
    fake.enqueue({ kind: 'text', chunks: ['ok'] });
    const again = await chat.api.chat.send({ sessionId: session.id, content: 'Again' });
    await chat.done(again.assistantMessage.id);
    expect(fake.lastRequest()!.body).toMatchObject({ temperature: 0.2, top_p: 0.9, max_tokens: 500 });
  });

  it('sends the output limit to Anthropic (its API takes no sampling parameters)', async () => {
    const session = await chat.api.sessions.create({ providerId: anthropic.id });
    await chat.api.sessions.update({ id: session.id, params: { maxOutputTokens: 777, temperature: 0.5 } });
    fake.enqueue({ kind: 'text', chunks: ['ok'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Go' });
    await chat.done(sent.assistantMessage.id);
    const body = fake.lastRequest()!.body as Record<string, unknown>;
    expect(body.max_tokens).toBe(777);
    expect(body).not.toHaveProperty('temperature');
  });

  it('refuses parameters out of range', async () => {
    const session = await chat.api.sessions.create({ providerId: openai.id });
    await expect(chat.api.sessions.update({ id: session.id, params: { temperature: 3 } })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(chat.api.sessions.update({ id: session.id, params: { maxOutputTokens: 0.5 } })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
