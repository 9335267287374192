/**
 * Failures a user can meet, end to end through the real providers: each ends with a sentence on
 * the message, the error on the run, the question kept, and a retry (regenerate) that works.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import type { ProviderConfig, Session } from '@shared/types';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, type FakeLlm, type FakeScript } from '../../../tests/helpers/fakeLlm';

let fake: FakeLlm;
let chat: ChatCore;
let provider: ProviderConfig;
const KEY = 'sk-errors-SECRET-9f8e7d6c5b4a3210';
const IDLE_MS = 1_500;

beforeAll(async () => {
  fake = await startFakeLlm();
  chat = await startChatCore({
    chat: { idleTimeoutMs: IDLE_MS, rateLimitDefaultWaitMs: 200, rateLimitRetryCapMs: 3_000 },
  });
  await chat.api.settings.setChat({ autoTitle: false });
  provider = await chat.api.providers.create({
    preset: 'custom',
    name: 'Fake Cloud',
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

const newSession = (providerId: string | null = provider.id): Promise<Session> =>
  chat.api.sessions.create({ providerId });

/** Sends one question with the server scripted to fail, and returns the settled reply. */
async function failWith(scripts: FakeScript[], session?: Session) {
  const s = session ?? (await newSession());
  fake.enqueue(...scripts);
  const before = fake.requests.length;
  const started = performance.now();
  const sent = await chat.api.chat.send({ sessionId: s.id, content: 'Will this work?' });
  const done = await chat.done(sent.assistantMessage.id);
  const elapsed = performance.now() - started;
  const message = await chat.message(sent.assistantMessage.id);
  const question = await chat.message(sent.userMessage.id);
  const run = await chat.core.db.call('generation.runForMessage', { messageId: sent.assistantMessage.id });
  return { session: s, sent, done, message, question, run, requests: fake.requests.length - before, elapsed };
}

function expectKeptQuestion(question: { status: string; content: string }) {
  expect(question).toMatchObject({ status: 'complete', content: 'Will this work?' });
}

describe('provider errors', () => {
  it('401: says the key was refused, never shows the key, keeps the question', async () => {
    const r = await failWith([{ kind: 'status', status: 401 }]);
    expect(r.done).toMatchObject({ status: 'error', errorCode: 'auth' });
    expect(r.message).toMatchObject({ status: 'error', errorCode: 'auth', content: '' });
    expect(r.message.errorMessage).toMatch(/did not accept the API key/);
    expect(r.run).toMatchObject({ status: 'failed', errorCode: 'auth', tokensIn: 0, tokensOut: 0 });
    expectKeptQuestion(r.question);
    // The fake server echoes the whole key in its error body, as the worst server could.
    for (const text of [r.message.errorMessage, r.run!.errorMessage, r.done.errorMessage]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(KEY.slice(0, 10));
    }
    expect(r.requests).toBe(1);
  });

  it('404: names the unknown model', async () => {
    const s = await chat.api.sessions.create({ providerId: provider.id, model: 'no-such-model' });
    const r = await failWith([{ kind: 'status', status: 404 }], s);
    expect(r.message).toMatchObject({ status: 'error', errorCode: 'model_not_found' });
    expect(r.message.errorMessage).toContain('"no-such-model"');
    expect(r.run).toMatchObject({ status: 'failed', errorCode: 'model_not_found', model: 'no-such-model' });
    expectKeptQuestion(r.question);
  });

  it('429: waits as retry-after says, retries once, and succeeds', async () => {
    const r = await failWith([
      { kind: 'status', status: 429, retryAfter: 1 },
      { kind: 'text', chunks: ['after the wait'] },
    ]);
    expect(r.done.status).toBe('complete');
    expect(r.message.content).toBe('after the wait');
    expect(r.requests).toBe(2);
    expect(r.elapsed).toBeGreaterThanOrEqual(950);
    expect(r.run).toMatchObject({ status: 'succeeded', errorCode: null });
  });

  it('429 twice: retries only once, then reports the rate limit', async () => {
    const r = await failWith([
      { kind: 'status', status: 429, retryAfter: 0 },
      { kind: 'status', status: 429, retryAfter: 0 },
    ]);
    expect(r.requests).toBe(2);
    expect(r.message).toMatchObject({ status: 'error', errorCode: 'rate_limited' });
    expect(r.message.errorMessage).toMatch(/limiting requests/);
    expect(r.run).toMatchObject({ status: 'failed', errorCode: 'rate_limited' });
  });

  it('429 asking for minutes: reports at once instead of holding the chat', async () => {
    const r = await failWith([{ kind: 'status', status: 429, retryAfter: 600 }]);
    expect(r.requests).toBe(1);
    expect(r.elapsed).toBeLessThan(2_000);
    expect(r.message.errorCode).toBe('rate_limited');
  });

  it('5xx: a server problem on their side', async () => {
    const r = await failWith([{ kind: 'status', status: 503 }]);
    expect(r.message).toMatchObject({ status: 'error', errorCode: 'server' });
    expect(r.message.errorMessage).toMatch(/problem on its side/);
    expect(r.run).toMatchObject({ status: 'failed', errorCode: 'server' });
    expectKeptQuestion(r.question);
  });

  it('a refused request shows the server detail with the key cut out', async () => {
    const body = { error: { message: `Bad messages for key ${KEY}: too long`, type: 'invalid_request_error' } };
    const r = await failWith([{ kind: 'status', status: 400, body }]);
    expect(r.message.errorCode).toBe('bad_request');
    expect(r.message.errorMessage).not.toContain(KEY);
    expect(r.message.errorMessage).not.toContain(KEY.slice(-8));
    // One sentence, ours, with the server's words once: not the adapter's sentence inside ours.
    expect(r.message.errorMessage).toMatch(
      /^[\w ]+ refused the request: Bad messages for key \[(?:redacted|key)\]: too long\.$/,
    );
    expect(r.message.errorMessage).not.toMatch(/rejected the request|\(400\)/);
  });

  it('mid-stream disconnect: keeps the partial text', async () => {
    const r = await failWith([{ kind: 'disconnect', afterChunks: 2, chunks: ['Half ', 'a reply ', 'lost'] }]);
    expect(r.message).toMatchObject({ status: 'error', errorCode: 'disconnected', content: 'Half a reply ' });
    expect(r.message.errorMessage).toMatch(/text so far is kept/);
    expect(r.message.tokensEstimated).toBe(true);
    expect(r.run).toMatchObject({ status: 'failed', errorCode: 'disconnected' });
    expect(r.run!.tokensOut).toBeGreaterThan(0);
  });

  it('timeout: a server that goes quiet ends the reply, partial text kept', async () => {
    const r = await failWith([{ kind: 'hang', afterChunks: 1, chunks: ['Started '] }]);
    expect(r.message).toMatchObject({ status: 'error', errorCode: 'timeout', content: 'Started ' });
    expect(r.message.errorMessage).toMatch(/stopped responding/);
    expect(r.elapsed).toBeGreaterThanOrEqual(IDLE_MS - 100);
    expect(r.elapsed).toBeLessThan(IDLE_MS + 5_000);
  });

  it('Retry writes a failed reply again in place, not as another version; the failed run stays in usage', async () => {
    const r = await failWith([{ kind: 'status', status: 500 }]);
    fake.enqueue({ kind: 'text', chunks: ['Second time lucky'] });
    const retry = await chat.api.chat.regenerate({ messageId: r.sent.assistantMessage.id });
    expect(retry.assistantMessage.id).toBe(r.sent.assistantMessage.id);
    expect((await chat.done(retry.assistantMessage.id)).status).toBe('complete');
    const branch = await chat.api.messages.listBranch({ sessionId: r.session.id });
    expect(branch.items.map((m) => [m.role, m.content, m.status, m.siblingCount])).toEqual([
      ['user', 'Will this work?', 'complete', 1],
      ['assistant', 'Second time lucky', 'complete', 1],
    ]);
    expect(await chat.api.usage.session({ sessionId: r.session.id })).toMatchObject({ runs: 2, failed: 1, succeeded: 1 });
    // The failed answer never reaches the model as context.
    expect(fake.lastRequest()!.body!.messages).toEqual([{ role: 'user', content: 'Will this work?' }]);
    // Regenerating the good reply still makes a version.
    fake.enqueue({ kind: 'text', chunks: ['Another take'] });
    const version = await chat.api.chat.regenerate({ messageId: retry.assistantMessage.id });
    expect(version.assistantMessage.id).not.toBe(retry.assistantMessage.id);
    await chat.done(version.assistantMessage.id);
    expect((await chat.api.messages.siblings({ messageId: version.assistantMessage.id })).length).toBe(2);
  });

  it('a failed turn is not glued onto the next prompt, and the chat keeps working after a 401', async () => {
    const session = await newSession(provider.id);
    fake.enqueue({ kind: 'status', status: 500 });
    const first = await chat.api.chat.send({ sessionId: session.id, content: 'first FAIL500 please' });
    expect((await chat.done(first.assistantMessage.id)).status).toBe('error');
    fake.enqueue({ kind: 'status', status: 401, body: { error: { message: 'bad key' } } });
    const second = await chat.api.chat.send({ sessionId: session.id, content: 'second message' });
    expect((await chat.done(second.assistantMessage.id)).errorCode).toBe('auth');
    expect(fake.lastRequest()!.body!.messages).toEqual([{ role: 'user', content: 'second message' }]);
    fake.enqueue({ kind: 'text', chunks: ['At last'] });
    const third = await chat.api.chat.send({ sessionId: session.id, content: 'third message' });
    expect((await chat.done(third.assistantMessage.id)).status).toBe('complete');
    expect(fake.lastRequest()!.body!.messages).toEqual([{ role: 'user', content: 'third message' }]);
  });
});

describe('offline', () => {
  it('a cloud provider fails fast as offline; the retry works once it is reachable', async () => {
    const cloud = await chat.api.providers.create({
      preset: 'openai',
      name: 'Cloud',
      baseUrl: 'https://api.confab-offline-test.invalid/v1',
      apiKey: KEY,
      defaultModel: 'gpt-fake',
    });
    expect(cloud.isLocal).toBe(false);
    const s = await newSession(cloud.id);
    const started = performance.now();
    const sent = await chat.api.chat.send({ sessionId: s.id, content: 'Anyone there?' });
    const done = await chat.done(sent.assistantMessage.id);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(done).toMatchObject({ status: 'error', errorCode: 'offline' });
    expect(done.errorMessage).toMatch(/offline/);
    expect((await chat.message(sent.userMessage.id)).content).toBe('Anyone there?');

    // "The network is back": the same provider now answers.
    await chat.api.providers.update({ id: cloud.id, baseUrl: fake.openaiBaseUrl });
    fake.enqueue({ kind: 'text', chunks: ['Back online'] });
    const retry = await chat.api.chat.regenerate({ messageId: sent.assistantMessage.id });
    expect((await chat.done(retry.assistantMessage.id)).status).toBe('complete');
  });

  it('a local server that is not running says so, not "offline"', async () => {
    const port = await closedPort();
    const local = await chat.api.providers.create({
      preset: 'ollama',
      baseUrl: `http://127.0.0.1:${port}/v1`,
      defaultModel: 'llama-fake',
    });
    expect(local.isLocal).toBe(true);
    const s = await newSession(local.id);
    const sent = await chat.api.chat.send({ sessionId: s.id, content: 'Local?' });
    const done = await chat.done(sent.assistantMessage.id);
    expect(done.errorCode).toBe('offline');
    expect(done.errorMessage).toMatch(/Check that it is running/);
    expect(done.errorMessage).toContain(`127.0.0.1:${port}`);
  });
});

describe('before any request', () => {
  it('no provider chosen: the question is kept with a reply saying what to do; retry after setting one up', async () => {
    const s = await newSession(null);
    const sent = await chat.api.chat.send({ sessionId: s.id, content: 'Hello?' });
    const done = await chat.done(sent.assistantMessage.id);
    expect(done).toMatchObject({ status: 'error', errorCode: 'no_provider' });
    expect(done.errorMessage).toMatch(/No model is chosen/);
    expect((await chat.message(sent.userMessage.id)).content).toBe('Hello?');
    // No model call was made, so no run was recorded.
    expect(await chat.core.db.call('generation.runForMessage', { messageId: sent.assistantMessage.id })).toBeNull();

    await chat.api.settings.setChat({ defaultProviderId: provider.id, defaultModel: 'fake-large' });
    fake.enqueue({ kind: 'text', chunks: ['Now I can answer'] });
    const retry = await chat.api.chat.regenerate({ messageId: sent.assistantMessage.id });
    expect((await chat.done(retry.assistantMessage.id)).status).toBe('complete');
    expect(await chat.message(retry.assistantMessage.id)).toMatchObject({
      providerId: provider.id,
      model: 'fake-large',
    });
    await chat.api.settings.setChat({ defaultProviderId: null, defaultModel: null });
  });

  it('a turned-off or deleted provider is reported on the reply', async () => {
    const off = await chat.api.providers.create({
      preset: 'custom',
      name: 'Off',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'm',
    });
    await chat.api.providers.update({ id: off.id, enabled: false });
    const s = await newSession(off.id);
    const sent = await chat.api.chat.send({ sessionId: s.id, content: 'x' });
    expect(await chat.done(sent.assistantMessage.id)).toMatchObject({
      status: 'error',
      errorCode: 'provider_disabled',
    });

    await chat.api.providers.delete({ id: off.id });
    const again = await chat.api.chat.regenerate({ messageId: sent.assistantMessage.id });
    const done = await chat.done(again.assistantMessage.id);
    expect(done).toMatchObject({ status: 'error', errorCode: 'no_provider' });
    expect(done.errorMessage).toMatch(/no longer set up/);
  });

  it('a key that cannot be unlocked asks for it again', async () => {
    // As after moving the data to another machine: the keychain no longer opens the saved key.
    const other = await startChatCore({
      cipher: {
        encrypt: (plain) => Buffer.from(`sealed:${plain.length}`),
        decrypt: () => {
          throw new ConfabError('secrets_unavailable', 'locked');
        },
      },
    });
    try {
      await other.api.settings.setChat({ autoTitle: false });
      const p = await other.api.providers.create({
        preset: 'custom',
        baseUrl: fake.openaiBaseUrl,
        apiKey: 'k-123456',
        defaultModel: 'm',
      });
      const s = await other.api.sessions.create({ providerId: p.id });
      const sent = await other.api.chat.send({ sessionId: s.id, content: 'q' });
      const done = await other.done(sent.assistantMessage.id);
      expect(done).toMatchObject({ status: 'error', errorCode: 'key_unavailable' });
      expect(done.errorMessage).toMatch(/Enter the key again/);
      // The model list says the same, and falls back to the manual list.
      expect(await other.api.providers.models({ id: p.id })).toMatchObject({ source: 'manual', models: [] });
    } finally {
      await other.close();
      removeDataDir(other.dataDir);
    }
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 1;
      server.close(() => resolve(port));
    });
  });
}
