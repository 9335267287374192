/**
 * Provider settings, chat settings, local detection and auto-titles through the contract, and
 * the promise about API keys: encrypted before the DB sees them, never sent to a view.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { openPglite } from '../db/open';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, type FakeLlm } from '../../../tests/helpers/fakeLlm';
import { unavailableCipher } from '../secrets/cipher';
import { createDefaultToolkit } from './defaultToolkit';

let fake: FakeLlm;
let chat: ChatCore;
const dirs: string[] = [];

beforeAll(async () => {
  fake = await startFakeLlm({ models: ['fake-b', 'fake-a'] });
  chat = await startChatCore();
  dirs.push(chat.dataDir);
});

afterAll(async () => {
  await chat?.close();
  await fake?.close();
  for (const dir of dirs) removeDataDir(dir);
});

async function rejection(promise: Promise<unknown>): Promise<ConfabError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return err as ConfabError;
}

describe('provider settings', () => {
  it('offers the presets', async () => {
    const presets = await chat.api.providers.presets({});
    expect(presets.map((p) => p.preset).sort()).toEqual(
      ['anthropic', 'custom', 'llamacpp', 'lmstudio', 'ollama', 'openai', 'openrouter'].sort(),
    );
    expect(presets.find((p) => p.preset === 'ollama')).toEqual({
      preset: 'ollama',
      kind: 'openai',
      label: 'Ollama',
      baseUrl: 'http://localhost:11434/v1',
      needsKey: false,
      isLocal: true,
    });
    expect(presets.find((p) => p.preset === 'anthropic')).toMatchObject({
      kind: 'anthropic',
      needsKey: true,
      isLocal: false,
    });
  });

  it('creates, lists, updates and deletes, with the preset filling the gaps', async () => {
    const ollama = await chat.api.providers.create({ preset: 'ollama' });
    expect(ollama).toMatchObject({
      kind: 'openai',
      preset: 'ollama',
      name: 'Ollama',
      baseUrl: 'http://localhost:11434/v1',
      defaultModel: null,
      models: [],
      contextBudget: null,
      enabled: true,
      isLocal: true,
      hasApiKey: false,
    });
    const custom = await chat.api.providers.create({
      preset: 'custom',
      name: '  My server ',
      baseUrl: 'https://llm.example.com/v1/',
      models: ['a', 'b', 'a', ' '.repeat(0) + 'c'],
      defaultModel: 'a',
      contextBudget: 8000,
    });
    expect(custom).toMatchObject({
      name: 'My server',
      baseUrl: 'https://llm.example.com/v1',
      models: ['a', 'b', 'c'],
      isLocal: false,
    });
    expect((await chat.api.providers.list({})).map((p) => p.id)).toEqual(
      expect.arrayContaining([ollama.id, custom.id]),
    );

    const updated = await chat.api.providers.update({
      id: custom.id,
      name: 'Renamed',
      enabled: false,
      contextBudget: null,
      defaultModel: null,
    });
    expect(updated).toMatchObject({
      name: 'Renamed',
      enabled: false,
      contextBudget: null,
      defaultModel: null,
      models: ['a', 'b', 'c'],
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(custom.updatedAt));

    expect(await chat.api.providers.delete({ id: custom.id })).toEqual({ deleted: true });
    expect(await chat.api.providers.delete({ id: custom.id })).toEqual({ deleted: false });
    expect((await rejection(chat.api.providers.update({ id: custom.id, name: 'x' }))).code).toBe('not_found');
  });

  it('refuses what cannot work', async () => {
    expect((await rejection(chat.api.providers.create({ preset: 'custom' }))).code).toBe('invalid_input');
    for (const baseUrl of ['file:///etc/passwd', 'javascript:alert(1)', 'localhost:11434', 'http://']) {
      expect((await rejection(chat.api.providers.create({ preset: 'custom', baseUrl }))).code).toBe('invalid_input');
    }
    expect((await rejection(chat.api.providers.create({ preset: 'nope' as 'custom' }))).code).toBe('invalid_input');
    expect((await rejection(chat.api.providers.create({ preset: 'ollama', contextBudget: 10 }))).code).toBe(
      'invalid_input',
    );
  });

  it('refuses a provider that needs a key without one, and removing its key', async () => {
    for (const preset of ['anthropic', 'openai', 'openrouter'] as const) {
      const err = await chat.api.providers.create({ preset }).then(
        () => null,
        (e: unknown) => e as ConfabError,
      );
      expect(err?.code, preset).toBe('invalid_input');
      expect(err?.message, preset).toMatch(/needs an API key/);
    }
    const claude = await chat.api.providers.create({ preset: 'anthropic', apiKey: 'sk-ant-test-0123456789' });
    const removed = await chat.api.providers.update({ id: claude.id, apiKey: null }).then(
      () => null,
      (e: unknown) => e as ConfabError,
    );
    expect(removed?.message).toBe('Anthropic needs an API key. Paste the key from your account\'s API settings.');
    expect((await chat.api.providers.list({})).find((p) => p.id === claude.id)?.hasApiKey).toBe(true);
    await chat.api.providers.delete({ id: claude.id });
  });

  it('lists models from the server, with hand-entered ones kept, else the manual list and why', async () => {
    const p = await chat.api.providers.create({ preset: 'custom', baseUrl: fake.openaiBaseUrl, models: ['manual-1'] });
    expect(await chat.api.providers.models({ id: p.id })).toEqual({
      models: ['fake-a', 'fake-b', 'manual-1'],
      source: 'provider',
      error: null,
    });
    fake.enqueue({ kind: 'status', status: 500 });
    const fallback = await chat.api.providers.models({ id: p.id });
    expect(fallback).toMatchObject({ models: ['manual-1'], source: 'manual' });
    expect(fallback.error).toBe(
      'Custom (OpenAI-compatible) could not list its models just now. The models typed in its settings are offered instead.',
    );
    // About the provider's list: no model name (there is none yet) and no chat (there is none).
    expect(fallback.error).not.toMatch(/""|this chat/);
  });
});

describe('API keys', () => {
  const KEY = 'sk-PLAINTEXT-never-stored-7c1d9e2f4a6b8c0d';

  it('are used for requests but only ever shown as hasApiKey', async () => {
    const p = await chat.api.providers.create({
      preset: 'custom',
      name: 'Keyed',
      baseUrl: fake.openaiBaseUrl,
      apiKey: KEY,
      defaultModel: 'fake-a',
    });
    expect(p.hasApiKey).toBe(true);
    expect(Object.keys(p)).not.toContain('apiKey');
    expect((await chat.api.providers.list({})).find((x) => x.id === p.id)?.hasApiKey).toBe(true);

    await chat.api.settings.setChat({ autoTitle: false });
    const s = await chat.api.sessions.create({ providerId: p.id });
    fake.enqueue({ kind: 'status', status: 401 });
    const sent = await chat.api.chat.send({ sessionId: s.id, content: 'with key' });
    await chat.done(sent.assistantMessage.id);
    expect(fake.lastRequest()!.headers.authorization).toBe(`Bearer ${KEY}`);
    await chat.api.providers.models({ id: p.id });

    // Replacing and clearing.
    const replaced = await chat.api.providers.update({ id: p.id, apiKey: `${KEY}-2` });
    expect(replaced.hasApiKey).toBe(true);
    await chat.api.providers.models({ id: p.id });
    expect(fake.lastRequest()!.headers.authorization).toBe(`Bearer ${KEY}-2`);
    expect((await chat.api.providers.update({ id: p.id, name: 'Keyed still' })).hasApiKey).toBe(true);
    expect((await chat.api.providers.update({ id: p.id, apiKey: null })).hasApiKey).toBe(false);
    await chat.api.providers.models({ id: p.id });
    expect(fake.lastRequest()!.headers.authorization).toBeUndefined();
    await chat.api.providers.update({ id: p.id, apiKey: KEY });

    // Nothing that went to a view ever carried the key: answers and events (requests are the
    // view's own input).
    const seen = chat.wire.filter((w) => w.kind !== 'request').map((w) => w.text);
    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(KEY.slice(0, 12));
    }
  });

  it('never reach the database in plain text: not in secrets, not in any column, not in any file', async () => {
    const dataDir = chat.dataDir;
    await chat.close();
    // Every byte PGlite wrote (heap, WAL, everything) is free of the key.
    const needle = Buffer.from(KEY.slice(0, 16));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(dataDir);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) expect(readFileSync(file).includes(needle), file).toBe(false);
    // The scan does see stored text: the secret's name is there in the clear.
    expect(files.some((file) => readFileSync(file).includes(Buffer.from(':api_key')))).toBe(true);

    const pg = await openPglite(join(dataDir, 'pgdata'));
    try {
      const secrets = await pg.query<{ name: string; ciphertext: Uint8Array }>('SELECT name, ciphertext FROM secrets');
      expect(secrets.rows.length).toBeGreaterThan(0);
      for (const row of secrets.rows) {
        expect(row.name).toMatch(/^provider:[0-9a-f-]{36}:api_key$/);
        expect(Buffer.from(row.ciphertext).includes(Buffer.from(KEY))).toBe(false);
        expect(row.ciphertext.length).toBeGreaterThan(KEY.length);
      }
      // Every row of every table, as text (bytea as hex).
      const tables = await pg.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      );
      for (const { table_name } of tables.rows) {
        const rows = await pg.query<{ t: string }>(`SELECT t::text AS t FROM "${table_name}" t`);
        for (const row of rows.rows) {
          expect(row.t).not.toContain(KEY);
          expect(row.t).not.toContain(Buffer.from(KEY).toString('hex'));
        }
      }
    } finally {
      await pg.close();
    }
    chat = await startChatCore({ dataDir });
  });

  it('are refused when the host offers no secure storage, rather than stored weakly', async () => {
    const bare = await startChatCore({ cipher: unavailableCipher });
    dirs.push(bare.dataDir);
    try {
      const err = await rejection(bare.api.providers.create({ preset: 'openai', apiKey: KEY }));
      expect(err.code).toBe('secrets_unavailable');
      expect(err.message).not.toContain(KEY);
      // Nothing was half-saved, and keyless providers still work.
      expect(await bare.api.providers.list({})).toEqual([]);
      expect((await bare.api.providers.create({ preset: 'ollama' })).hasApiKey).toBe(false);
    } finally {
      await bare.close();
    }
  });
});

describe('chat settings', () => {
  it('start from defaults, merge changes, and refuse an unknown default provider', async () => {
    const fresh = await startChatCore();
    dirs.push(fresh.dataDir);
    try {
      expect(await fresh.api.settings.getChat({})).toEqual({
        autoTitle: true,
        defaultProviderId: null,
        defaultModel: null,
        contextBudget: 16_000,
      });
      expect(await fresh.api.settings.setChat({ contextBudget: 32_000 })).toMatchObject({
        contextBudget: 32_000,
        autoTitle: true,
      });
      expect(await fresh.api.settings.setChat({ autoTitle: false })).toMatchObject({
        contextBudget: 32_000,
        autoTitle: false,
      });
      const missing = '01900000-0000-7000-8000-00000000abcd';
      expect((await rejection(fresh.api.settings.setChat({ defaultProviderId: missing }))).code).toBe('not_found');
      const p = await fresh.api.providers.create({ preset: 'ollama' });
      expect(await fresh.api.settings.setChat({ defaultProviderId: p.id, defaultModel: 'llama3' })).toMatchObject({
        defaultProviderId: p.id,
        defaultModel: 'llama3',
      });
      // Deleting the default provider clears the default rather than leaving it dangling.
      await fresh.api.providers.delete({ id: p.id });
      expect(await fresh.api.settings.getChat({})).toMatchObject({
        defaultProviderId: null,
        defaultModel: null,
        contextBudget: 32_000,
      });
    } finally {
      await fresh.close();
    }
  });
});

describe('local detection', () => {
  it('finds a local server on request and sets it up once at startup', async () => {
    const toolkit = createDefaultToolkit({ detectTargets: [{ preset: 'ollama', baseUrl: fake.openaiBaseUrl }] });
    const first = await startChatCore({ providerToolkit: toolkit, detectLocalProviders: true });
    dirs.push(first.dataDir);
    let providerId: string;
    try {
      expect(await first.api.providers.detectLocal({})).toEqual([
        { preset: 'ollama', baseUrl: fake.openaiBaseUrl, models: ['fake-a', 'fake-b'] },
      ]);
      const adopted = await waitForProviders(first, 1);
      // Views hear of it at once (the Settings list and the composer's model picker refresh),
      // as a change Confab made itself.
      expect(await first.waitFor('providers.changed', (p) => p.ids.includes(adopted[0]!.id))).toEqual({
        ids: [adopted[0]!.id],
        source: 'system',
      });
      expect(await first.waitFor('settings.changed', (p) => p.keys.includes('chat'))).toMatchObject({ source: 'system' });
      expect(adopted[0]).toMatchObject({
        preset: 'ollama',
        name: 'Ollama',
        baseUrl: fake.openaiBaseUrl,
        defaultModel: 'fake-a',
        isLocal: true,
      });
      providerId = adopted[0]!.id;
      expect(await first.api.settings.getChat({})).toMatchObject({
        defaultProviderId: providerId,
        defaultModel: 'fake-a',
      });
    } finally {
      await first.close();
    }
    // A restart does not add it twice; after the user deletes it, it is not added back.
    const second = await startChatCore({
      dataDir: first.dataDir,
      providerToolkit: toolkit,
      detectLocalProviders: true,
    });
    try {
      expect(await second.core.localDetection).toEqual([]);
      expect((await second.api.providers.list({})).map((p) => p.id)).toEqual([providerId]);
      await second.api.providers.delete({ id: providerId });
    } finally {
      await second.close();
    }
    const third = await startChatCore({ dataDir: first.dataDir, providerToolkit: toolkit, detectLocalProviders: true });
    try {
      expect(await third.core.localDetection).toEqual([]);
      expect(await third.api.providers.list({})).toEqual([]);
    } finally {
      await third.close();
    }
  });

  it('says nothing when no local server runs', async () => {
    const toolkit = createDefaultToolkit({ detectTargets: [{ preset: 'lmstudio', baseUrl: 'http://127.0.0.1:9/v1' }] });
    const quiet = await startChatCore({ providerToolkit: toolkit, detectLocalProviders: true });
    dirs.push(quiet.dataDir);
    try {
      expect(await quiet.api.providers.detectLocal({})).toEqual([]);
      expect(await quiet.api.providers.list({})).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});

async function waitForProviders(c: ChatCore, count: number) {
  for (let i = 0; i < 100; i++) {
    const list = await c.api.providers.list({});
    if (list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no provider was set up');
}

describe('auto-title', () => {
  async function titled(c: ChatCore, sessionId: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const s = await c.api.sessions.get({ id: sessionId });
      if (s.title) return s.title;
      await new Promise((r) => setTimeout(r, 100));
    }
    return '';
  }

  it('asks the same model for a short title after the first exchange', async () => {
    await chat.api.settings.setChat({ autoTitle: true });
    const p = await chat.api.providers.create({
      preset: 'custom',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'fake-a',
    });
    const s = await chat.api.sessions.create({ providerId: p.id });
    fake.enqueue({ kind: 'text', chunks: ['The borrow checker enforces ownership.'] });
    fake.enqueue({ kind: 'text', chunks: ['"Rust Borrow', ' Checker Basics."'], usage: { input: 40, output: 6 } });
    const sent = await chat.api.chat.send({ sessionId: s.id, content: 'How does the Rust borrow checker work?' });
    await chat.done(sent.assistantMessage.id);
    expect(await titled(chat, s.id)).toBe('Rust Borrow Checker Basics');
    const request = fake.lastRequest()!;
    expect(request.body!.max_tokens).toBeLessThanOrEqual(32);
    expect(JSON.stringify(request.body!.messages)).toContain('How does the Rust borrow checker work?');
    // The title call is usage too, recorded against the chat.
    expect(await chat.api.usage.session({ sessionId: s.id })).toMatchObject({ runs: 2, succeeded: 2 });

    // Only the first exchange names the chat.
    fake.enqueue({ kind: 'text', chunks: ['More.'] });
    const before = fake.requests.length;
    const next = await chat.api.chat.send({ sessionId: s.id, content: 'And lifetimes?' });
    await chat.done(next.assistantMessage.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.requests.length).toBe(before + 1);
  });

  it('falls back to the start of the question when the model cannot name it', async () => {
    const p = await chat.api.providers.create({
      preset: 'custom',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'fake-a',
    });
    const s = await chat.api.sessions.create({ providerId: p.id });
    fake.enqueue({ kind: 'text', chunks: ['Answer'] }, { kind: 'status', status: 500 });
    const question = 'Please explain the difference between processes and threads in operating systems';
    const sent = await chat.api.chat.send({ sessionId: s.id, content: question });
    await chat.done(sent.assistantMessage.id);
    expect(await titled(chat, s.id)).toBe('Please explain the difference between processes…');
  });

  it('falls back at once when the reply itself failed, and makes no title call when turned off', async () => {
    const p = await chat.api.providers.create({
      preset: 'custom',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'fake-a',
    });
    const s = await chat.api.sessions.create({ providerId: p.id });
    fake.enqueue({ kind: 'status', status: 401 });
    const before = fake.requests.length;
    const sent = await chat.api.chat.send({ sessionId: s.id, content: 'Offline question' });
    await chat.done(sent.assistantMessage.id);
    expect(await titled(chat, s.id)).toBe('Offline question');
    expect(fake.requests.length).toBe(before + 1);

    await chat.api.settings.setChat({ autoTitle: false });
    const s2 = await chat.api.sessions.create({ providerId: p.id });
    fake.enqueue({ kind: 'text', chunks: ['Fine'] });
    const before2 = fake.requests.length;
    const sent2 = await chat.api.chat.send({ sessionId: s2.id, content: 'No model title please' });
    await chat.done(sent2.assistantMessage.id);
    expect(await titled(chat, s2.id)).toBe('No model title please');
    expect(fake.requests.length).toBe(before2 + 1);
  });

  it('never overwrites a title the user gave meanwhile', async () => {
    await chat.api.settings.setChat({ autoTitle: true });
    const p = await chat.api.providers.create({
      preset: 'custom',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'fake-a',
    });
    const s = await chat.api.sessions.create({ providerId: p.id });
    fake.enqueue({ kind: 'text', chunks: ['Answer'] }, { kind: 'slow', chunks: ['Model', ' title'], delayMs: 400 });
    const sent = await chat.api.chat.send({ sessionId: s.id, content: 'Question' });
    await chat.done(sent.assistantMessage.id);
    await chat.api.sessions.rename({ id: s.id, title: 'Mine' });
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await chat.api.sessions.get({ id: s.id })).title).toBe('Mine');
  });
});
