import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectStream, type FakeLlm, startFakeLlm } from '../../../../tests/helpers/fakeLlm';
import type { ProviderConnection, StreamRequest } from '../types';
import { createOpenAiCompatibleProvider } from './openaiCompatible';

const KEY = 'sk-openai-test-key-42';

describe('OpenAI-compatible provider', () => {
  let fake: FakeLlm;
  let connection: ProviderConnection;

  beforeEach(async () => {
    fake = await startFakeLlm();
    connection = {
      id: 'c1',
      kind: 'openai',
      preset: 'custom',
      baseUrl: fake.openaiBaseUrl,
      apiKey: KEY,
      isLocal: false,
    };
  });
  afterEach(async () => {
    await fake.close();
  });

  function request(overrides: Partial<StreamRequest> = {}): StreamRequest {
    return {
      model: 'fake-large',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How are you?' },
      ],
      signal: new AbortController().signal,
      ...overrides,
    };
  }

  it('asks for usage with stream_options.include_usage and passes the turns through in order', async () => {
    await collectStream(createOpenAiCompatibleProvider(connection).stream(request()));
    const sent = fake.lastRequest();
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.body).toMatchObject({
      model: 'fake-large',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How are you?' },
      ],
    });
    expect(sent?.body).not.toHaveProperty('temperature');
    expect(sent?.body).not.toHaveProperty('max_tokens');
  });

  it('sends the key as a Bearer token', async () => {
    await collectStream(createOpenAiCompatibleProvider(connection).stream(request()));
    expect(fake.lastRequest()?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(fake.lastRequest()?.headers['x-api-key']).toBeUndefined();
  });

  it('sends no Authorization header at all for a keyless local server', async () => {
    const local = createOpenAiCompatibleProvider({ ...connection, preset: 'ollama', apiKey: null, isLocal: true });
    const { error } = await collectStream(local.stream(request()));
    expect(error).toBeUndefined();
    expect(fake.lastRequest()?.headers.authorization).toBeUndefined();
    expect(await local.listModels(new AbortController().signal)).toEqual(['fake-large', 'fake-small']);
    expect(fake.lastRequest()?.headers.authorization).toBeUndefined();
  });

  it('uses max_tokens for local servers and max_completion_tokens for OpenAI itself', async () => {
    const provider = createOpenAiCompatibleProvider({ ...connection, preset: 'lmstudio' });
    await collectStream(provider.stream(request({ maxOutputTokens: 256, temperature: 0.2 })));
    expect(fake.lastRequest()?.body).toMatchObject({ max_tokens: 256, temperature: 0.2 });
    expect(fake.lastRequest()?.body).not.toHaveProperty('max_completion_tokens');

    await collectStream(
      createOpenAiCompatibleProvider({ ...connection, preset: 'openai' }).stream(request({ maxOutputTokens: 256 })),
    );
    expect(fake.lastRequest()?.body).toMatchObject({ max_completion_tokens: 256 });
    expect(fake.lastRequest()?.body).not.toHaveProperty('max_tokens');
  });

  it('says "add a key" rather than "key refused" when a keyless connection gets 401', async () => {
    fake.enqueue({ kind: 'status', status: 401 });
    const keyless = createOpenAiCompatibleProvider({ ...connection, apiKey: null });
    const { error } = await collectStream(keyless.stream(request()));
    expect(error).toMatchObject({ code: 'auth', message: expect.stringMatching(/needs an API key/) });
  });

  it('names the model, never the key, when the model is unknown', async () => {
    fake.enqueue({ kind: 'status', status: 404 });
    const { error } = await collectStream(
      createOpenAiCompatibleProvider(connection).stream(request({ model: 'gpt-nope' })),
    );
    expect(error).toMatchObject({ code: 'model_not_found', message: expect.stringContaining('"gpt-nope"') });
  });

  it('says the server has no model list when /models is missing', async () => {
    fake.enqueue({ kind: 'status', status: 404 });
    const err = await createOpenAiCompatibleProvider(connection)
      .listModels(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'model_not_found',
      message: expect.stringMatching(/does not offer a model list/),
    });
  });

  it('reports offline for a host name that does not resolve', async () => {
    const provider = createOpenAiCompatibleProvider({
      ...connection,
      baseUrl: 'http://confab-no-such-host.invalid/v1',
    });
    const { error } = await collectStream(provider.stream(request()));
    expect(error).toMatchObject({ code: 'offline', message: expect.stringContaining('confab-no-such-host.invalid') });
  });
});
