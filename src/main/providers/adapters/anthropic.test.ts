import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectStream, type FakeLlm, startFakeLlm } from '../../../../tests/helpers/fakeLlm';
import type { ProviderConnection, StreamRequest } from '../types';
import { createAnthropicProvider, DEFAULT_ANTHROPIC_MAX_TOKENS, requestBody } from './anthropic';

const KEY = 'sk-ant-test-key-42';

describe('Anthropic provider', () => {
  let fake: FakeLlm;
  let connection: ProviderConnection;

  beforeEach(async () => {
    fake = await startFakeLlm({ models: ['claude-b', 'claude-a'] });
    connection = {
      id: 'c2',
      kind: 'anthropic',
      preset: 'anthropic',
      baseUrl: fake.anthropicBaseUrl,
      apiKey: KEY,
      isLocal: false,
    };
  });
  afterEach(async () => {
    await fake.close();
  });

  function request(overrides: Partial<StreamRequest> = {}): StreamRequest {
    return {
      model: 'claude-a',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'How are you?' },
      ],
      signal: new AbortController().signal,
      ...overrides,
    };
  }

  it('moves system turns into the system parameter and keeps the rest in order', async () => {
    await collectStream(createAnthropicProvider(connection).stream(request()));
    const sent = fake.lastRequest();
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.body).toEqual({
      model: 'claude-a',
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
      stream: true,
      system: 'You are terse.\n\nAnswer in French.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'How are you?' },
      ],
    });
  });

  it('omits system when there is none and honours maxOutputTokens', () => {
    const body = requestBody(
      request({ messages: [{ role: 'user', content: 'x' }], maxOutputTokens: 99, temperature: 0.5 }),
    );
    expect(body).toEqual({
      model: 'claude-a',
      max_tokens: 99,
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
  });

  it('reports input tokens from message_start and output tokens from message_delta', async () => {
    fake.enqueue({ kind: 'text', chunks: ['Bonjour', '.'], usage: { input: 42, output: 3 } });
    const { events, error } = await collectStream(createAnthropicProvider(connection).stream(request()));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'delta', text: 'Bonjour' },
      { type: 'delta', text: '.' },
      { type: 'usage', tokensIn: 42, tokensOut: 3 },
    ]);
  });

  // SDK 1.x sends an API key as a Bearer token, no longer as x-api-key.
  it('sends the key the way the SDK does, with the API version header', async () => {
    await collectStream(createAnthropicProvider(connection).stream(request()));
    const headers = fake.lastRequest()?.headers;
    expect(headers?.authorization).toBe(`Bearer ${KEY}`);
    expect(headers?.['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('sends no credentials for a keyless Anthropic-compatible server', async () => {
    const keyless = createAnthropicProvider({ ...connection, apiKey: null });
    const { error } = await collectStream(keyless.stream(request()));
    expect(error).toBeUndefined();
    expect(fake.lastRequest()?.headers.authorization).toBeUndefined();
    expect(fake.lastRequest()?.headers['x-api-key']).toBeUndefined();
  });

  it('maps 529 overloaded to server', async () => {
    fake.enqueue({ kind: 'status', status: 529 });
    const { error } = await collectStream(createAnthropicProvider(connection).stream(request()));
    expect(error).toMatchObject({ code: 'server', status: 529 });
  });

  it('lists models from the Anthropic-format model list', async () => {
    expect(await createAnthropicProvider(connection).listModels(new AbortController().signal)).toEqual([
      'claude-a',
      'claude-b',
    ]);
    expect(fake.lastRequest()?.headers['anthropic-version']).toBeDefined();
  });
});
