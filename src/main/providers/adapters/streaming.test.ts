/**
 * Behaviour both provider kinds must share, run against the real fake server (no SDK mocks):
 * ordered deltas, usage, every error status, disconnects, timeouts, Stop, offline.
 */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectStream, type FakeLlm, type FakeScript, startFakeLlm } from '../../../../tests/helpers/fakeLlm';
import {
  type ChatProvider,
  type ProviderConnection,
  ProviderError,
  type StreamEvent,
  type StreamRequest,
} from '../types';
import { createProvider } from './factory';

const KEY = 'sk-test-SECRET-0123456789abcdef';

function connectionFor(
  fake: FakeLlm,
  kind: ProviderConnection['kind'],
  apiKey: string | null = KEY,
): ProviderConnection {
  const baseUrl = kind === 'openai' ? fake.openaiBaseUrl : fake.anthropicBaseUrl;
  return {
    id: `test-${kind}`,
    kind,
    preset: kind === 'openai' ? 'custom' : 'anthropic',
    baseUrl,
    apiKey,
    isLocal: true,
  };
}

function request(overrides: Partial<StreamRequest> = {}): StreamRequest {
  return {
    model: 'fake-small',
    messages: [{ role: 'user', content: 'Hello there' }],
    signal: new AbortController().signal,
    ...overrides,
  };
}

function deltas(events: StreamEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'delta' ? [e.text] : []));
}

function providerError(error: unknown): ProviderError {
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** A port that refuses connections: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(['openai', 'anthropic'] as const)('%s provider streaming', (kind) => {
  let fake: FakeLlm;
  let provider: ChatProvider;

  beforeEach(async () => {
    fake = await startFakeLlm();
    provider = createProvider(connectionFor(fake, kind));
  });
  afterEach(async () => {
    await fake.close();
  });

  it('yields deltas in order, then provider-reported usage', async () => {
    fake.enqueue({ kind: 'text', chunks: ['The ', 'quick ', 'brown ', 'fox'], usage: { input: 21, output: 4 } });
    const { events, error } = await collectStream(provider.stream(request()));
    expect(error).toBeUndefined();
    expect(deltas(events)).toEqual(['The ', 'quick ', 'brown ', 'fox']);
    expect(events.filter((e) => e.type === 'usage')).toEqual([{ type: 'usage', tokensIn: 21, tokensOut: 4 }]);
    expect(events.at(-1)?.type).toBe('usage');
    expect(fake.lastRequest()?.body).toMatchObject({ model: 'fake-small', stream: true });
  });

  it('yields no usage event when the server reports none', async () => {
    fake.enqueue({ kind: 'text', chunks: ['no ', 'usage'], usage: null });
    const { events, error } = await collectStream(provider.stream(request()));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'delta', text: 'no ' },
      { type: 'delta', text: 'usage' },
    ]);
  });

  it('keeps a slow stream alive as long as bytes keep coming within the idle timeout', async () => {
    fake.enqueue({ kind: 'slow', chunks: ['a', 'b', 'c', 'd', 'e'], delayMs: 50 });
    const { events, error } = await collectStream(provider.stream(request({ idleTimeoutMs: 1_000 })));
    expect(error).toBeUndefined();
    expect(deltas(events)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'model_not_found'],
    [429, 'rate_limited'],
    [400, 'bad_request'],
    [422, 'bad_request'],
    [500, 'server'],
    [503, 'server'],
  ] as const)('maps HTTP %i to %s without retrying', async (status, code) => {
    fake.enqueue({ kind: 'status', status });
    const { events, error } = await collectStream(provider.stream(request()));
    expect(events).toEqual([]);
    const err = providerError(error);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.message).not.toMatch(/\n\s+at /);
    // maxRetries: 0 — the runner owns retries, so the SDK must not have asked twice.
    expect(fake.requests).toHaveLength(1);
  });

  it('carries retry-after seconds on 429', async () => {
    fake.enqueue({ kind: 'status', status: 429, retryAfter: 7 });
    const err = providerError((await collectStream(provider.stream(request()))).error);
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.message).toContain('7 seconds');
  });

  it('carries retry-after as an HTTP date on 429', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    fake.enqueue({ kind: 'status', status: 429, retryAfter: at });
    const err = providerError((await collectStream(provider.stream(request()))).error);
    expect(err.retryAfterMs).toBeGreaterThan(25_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('prefers retry-after-ms on 429', async () => {
    fake.enqueue({ kind: 'status', status: 429, retryAfter: 9, headers: { 'retry-after-ms': '1500' } });
    const err = providerError((await collectStream(provider.stream(request()))).error);
    expect(err.retryAfterMs).toBe(1500);
  });

  it('keeps deltas from before a mid-stream disconnect, then throws disconnected', async () => {
    fake.enqueue({ kind: 'disconnect', afterChunks: 2, chunks: ['one ', 'two ', 'three'] });
    const { events, error } = await collectStream(provider.stream(request()));
    // Anthropic's message_start carried input tokens, but a usage without output would read as "0 out".
    expect(events).toEqual([
      { type: 'delta', text: 'one ' },
      { type: 'delta', text: 'two ' },
    ]);
    expect(providerError(error).code).toBe('disconnected');
  });

  it('treats a body that ends cleanly but without the end-of-reply marker as disconnected', async () => {
    fake.enqueue({ kind: 'disconnect', afterChunks: 1, chunks: ['half', ' never'], graceful: true });
    const { events, error } = await collectStream(provider.stream(request()));
    expect(deltas(events)).toEqual(['half']);
    expect(providerError(error).code).toBe('disconnected');
  });

  it('keeps deltas from before an error event inside the stream, then maps its type', async () => {
    fake.enqueue({ kind: 'stream_error', afterChunks: 1, chunks: ['so far', 'lost'] });
    const { events, error } = await collectStream(provider.stream(request()));
    expect(deltas(events)).toEqual(['so far']);
    expect(providerError(error).code).toBe('server');
    fake.enqueue({
      kind: 'stream_error',
      afterChunks: 0,
      errorType: kind === 'openai' ? 'invalid_request_error' : 'rate_limit_error',
    });
    const second = providerError((await collectStream(provider.stream(request()))).error);
    expect(second.code).toBe(kind === 'openai' ? 'bad_request' : 'rate_limited');
  });

  it('times out when the server never answers', async () => {
    fake.enqueue({ kind: 'hang' });
    const started = Date.now();
    const { events, error } = await collectStream(provider.stream(request({ idleTimeoutMs: 150 })));
    expect(events).toEqual([]);
    expect(providerError(error).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('times out when the stream stalls mid-reply, keeping the partial deltas', async () => {
    fake.enqueue({ kind: 'hang', afterChunks: 1, chunks: ['partial', 'never'] });
    // Long enough that the first chunk always arrives first, even on a loaded machine.
    const { events, error } = await collectStream(provider.stream(request({ idleTimeoutMs: 1_000 })));
    expect(deltas(events)).toEqual(['partial']);
    expect(providerError(error).code).toBe('timeout');
    await expect.poll(() => fake.openResponses(), { timeout: 5_000, interval: 10 }).toBe(0);
  });

  it('stops promptly on abort mid-stream with cancelled, keeping the partial deltas', async () => {
    fake.enqueue({ kind: 'hang', afterChunks: 1, chunks: ['partial', 'never'] });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    let abortedAt = 0;
    let error: unknown;
    try {
      for await (const event of provider.stream(request({ signal: controller.signal }))) {
        events.push(event);
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort();
        }, 20);
      }
    } catch (err) {
      error = err;
    }
    expect(Date.now() - abortedAt).toBeLessThan(200);
    expect(deltas(events)).toEqual(['partial']);
    expect(providerError(error).code).toBe('cancelled');
    await expect.poll(() => fake.openResponses(), { timeout: 1000, interval: 10 }).toBe(0);
  });

  it('stops promptly on abort before the server answers', async () => {
    fake.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    const { error } = await collectStream(provider.stream(request({ signal: controller.signal })));
    expect(providerError(error).code).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('does not send anything when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { error } = await collectStream(provider.stream(request({ signal: controller.signal })));
    expect(providerError(error).code).toBe('cancelled');
    expect(fake.requests).toHaveLength(0);
  });

  it('hangs up the connection when the caller stops iterating early', async () => {
    fake.enqueue({ kind: 'hang', afterChunks: 1 });
    for await (const event of provider.stream(request())) {
      expect(fake.openResponses()).toBe(1);
      expect(event.type).toBe('delta');
      break;
    }
    await expect.poll(() => fake.openResponses(), { timeout: 1000, interval: 10 }).toBe(0);
  });

  it('reports offline when nothing listens', async () => {
    const port = await closedPort();
    const base = kind === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`;
    const offline = createProvider({ ...connectionFor(fake, kind), baseUrl: base });
    const started = Date.now();
    const err = providerError((await collectStream(offline.stream(request()))).error);
    expect(err.code).toBe('offline');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('never puts the API key into an error message, even when the server echoes it', async () => {
    const echoing = {
      error: { message: `bad key ${KEY} for https://example.test/v1?api_key=${KEY}`, type: 'invalid_request_error' },
    };
    const scripts: FakeScript[] = [
      { kind: 'status', status: 401 },
      ...[400, 403, 404, 422, 429, 500].map((status): FakeScript => ({ kind: 'status', status, body: echoing })),
      { kind: 'disconnect', afterChunks: 1 },
      { kind: 'hang' },
    ];
    const errors: ProviderError[] = [];
    for (const script of scripts) {
      fake.enqueue(script);
      errors.push(providerError((await collectStream(provider.stream(request({ idleTimeoutMs: 1_000 })))).error));
    }
    expect(errors.map((e) => e.code)).toEqual([
      'auth',
      'bad_request',
      'auth',
      'model_not_found',
      'bad_request',
      'rate_limited',
      'server',
      'disconnected',
      'timeout',
    ]);
    for (const err of errors) {
      expect(err.message).not.toContain(KEY);
      expect(err.message).not.toContain('SECRET');
      expect(err.message).not.toContain('?');
      expect(JSON.stringify(err)).not.toContain(KEY);
    }
  });

  it('lists models sorted and deduplicated', async () => {
    fake.models = ['zeta', 'alpha', 'mid', 'alpha', ''];
    expect(await provider.listModels(new AbortController().signal)).toEqual(['alpha', 'mid', 'zeta']);
    expect(fake.lastRequest()).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it.each([
    [{ kind: 'status', status: 401 }, 'auth'],
    [{ kind: 'status', status: 404 }, 'model_not_found'],
    [{ kind: 'status', status: 500 }, 'server'],
  ] as const)('throws a ProviderError when the model list fails (%j)', async (script, code) => {
    fake.enqueue(script);
    const err = providerError(await provider.listModels(new AbortController().signal).catch((e: unknown) => e));
    expect(err.code).toBe(code);
    expect(err.message).not.toContain(KEY);
  });

  it('gives up on a model list that never comes', async () => {
    fake.enqueue({ kind: 'hang' });
    const quick = createProvider(connectionFor(fake, kind), { listTimeoutMs: 100 });
    const err = providerError(await quick.listModels(new AbortController().signal).catch((e: unknown) => e));
    expect(err.code).toBe('timeout');
  });
});
