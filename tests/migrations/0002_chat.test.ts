/**
 * Migration 0002 (chat engine: provider settings) and the repositories that use it, on every
 * engine the SQL must run on: PGlite, the run's real PostgreSQL and, when reachable, a second
 * server of another major version (CONFAB_TEST_EXTRA_PG_URL overrides, "off" disables).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { ConfabError } from '../../src/shared/errors';
import type { Db } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import type { RepoContext } from '../../src/main/db/context';
import { beginGeneration, runForMessage, setTitleIfEmpty } from '../../src/main/db/chat/generation';
import {
  createProviderConfig,
  deleteProviderConfig,
  getProviderConfig,
  getProviderKeyCiphertext,
  listProviderConfigs,
  updateProviderConfig,
} from '../../src/main/db/providers/repository';
import { getSetting, mergeSetting } from '../../src/main/db/settings/repository';
import { createSession, getSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import { MIGRATIONS_DIR, openTestDb } from '../helpers/engines';
import { openMigratedServerDb, testServers } from '../helpers/servers';

interface Engine {
  name: string;
  open(): Promise<{ db: Db; ownerId: string; close(): Promise<void> }>;
  /** A real server, where a database can be migrated step by step. */
  url?: string;
}

const engines: Engine[] = [
  { name: 'PGlite', open: () => openTestDb('pglite') },
  ...(await testServers()).map((server) => ({ ...server, open: () => openMigratedServerDb(server.url) })),
];

async function sqlState(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the statement to fail').not.toBeNull();
  return String((err as { code?: unknown }).code);
}

async function confabCode(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return (err as ConfabError).code;
}

describe.each(engines)('migration 0002 on $name', (engine) => {
  let db: Db;
  let ctx: RepoContext;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await engine.open();
    ({ db, close } = opened);
    ctx = { db, ownerId: opened.ownerId };
  });
  afterAll(async () => {
    await close?.();
  });

  const insertProvider = (fields: { kind?: string; name?: string; models?: string; budget?: number | null }) =>
    db.query(sql`
      INSERT INTO provider_configs (id, kind, preset, name, base_url, models, context_budget)
      VALUES (${uuidv7()}, ${fields.kind ?? 'openai'}, 'custom', ${fields.name ?? 'n'}, 'http://x',
              ${fields.models ?? '[]'}::jsonb, ${fields.budget ?? null})`);

  it('records itself and creates the table and index', async () => {
    const applied = await db.query<{ version: number; name: string }>(
      sql`SELECT version, name FROM confab_migrations ORDER BY version`,
    );
    expect(applied.map((r) => [r.version, r.name])).toContainEqual([2, 'chat']);
    const index = await db.query(sql`SELECT 1 FROM pg_indexes WHERE indexname = 'generation_runs_message_idx'`);
    expect(index).toHaveLength(1);
  });

  it('checks kind, name, models and context budget', async () => {
    expect(await sqlState(insertProvider({ kind: 'gemini' }))).toBe('23514');
    expect(await sqlState(insertProvider({ name: '' }))).toBe('23514');
    expect(await sqlState(insertProvider({ name: 'x'.repeat(201) }))).toBe('23514');
    expect(await sqlState(insertProvider({ models: '{"a":1}' }))).toBe('23514');
    expect(await sqlState(insertProvider({ budget: 0 }))).toBe('23514');
    await insertProvider({ kind: 'anthropic', models: '["m"]', budget: 1000 });
  });

  it('stores a provider with its encrypted key as bytes, and removes both together', async () => {
    const key = Uint8Array.from([0, 1, 2, 250, 255, 0, 42]);
    const created = await createProviderConfig(ctx, {
      kind: 'openai',
      preset: 'custom',
      name: 'Server',
      baseUrl: 'http://localhost:8080/v1',
      defaultModel: 'm1',
      models: ['m1', 'm2'],
      contextBudget: 4096,
      apiKeyCiphertext: key,
    });
    expect(created).toMatchObject({
      name: 'Server',
      models: ['m1', 'm2'],
      contextBudget: 4096,
      enabled: true,
      hasApiKey: true,
    });
    expect([...(await getProviderKeyCiphertext(ctx, created.id))!]).toEqual([...key]);

    const before = created.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    const updated = await updateProviderConfig(ctx, {
      id: created.id,
      enabled: false,
      models: [],
      apiKeyCiphertext: Uint8Array.from([9]),
    });
    expect(updated).toMatchObject({ enabled: false, models: [], hasApiKey: true, defaultModel: 'm1' });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(before));
    expect([...(await getProviderKeyCiphertext(ctx, created.id))!]).toEqual([9]);
    // Changing only the key still moves updated_at.
    const keyOnly = await updateProviderConfig(ctx, { id: created.id, apiKeyCiphertext: null });
    expect(keyOnly.hasApiKey).toBe(false);
    expect(await getProviderKeyCiphertext(ctx, created.id)).toBeNull();

    await updateProviderConfig(ctx, { id: created.id, apiKeyCiphertext: key });
    expect((await listProviderConfigs(ctx)).map((p) => p.id)).toContain(created.id);
    expect(await deleteProviderConfig(ctx, created.id)).toBe(true);
    expect(await getProviderKeyCiphertext(ctx, created.id)).toBeNull();
    expect(await deleteProviderConfig(ctx, created.id)).toBe(false);
    expect(await confabCode(getProviderConfig(ctx, created.id))).toBe('not_found');
    expect(await confabCode(updateProviderConfig(ctx, { id: created.id, name: 'x' }))).toBe('not_found');
  });

  it('merges settings field by field', async () => {
    expect(await getSetting(ctx, 'chat-test')).toBeNull();
    await Promise.all([mergeSetting(ctx, 'chat-test', { a: 1 }), mergeSetting(ctx, 'chat-test', { b: 'two' })]);
    expect(await getSetting(ctx, 'chat-test')).toEqual({ a: 1, b: 'two' });
    expect(await mergeSetting(ctx, 'chat-test', { a: null })).toEqual({ a: null, b: 'two' });
    // A value that is not an object (older format, hand edit) is replaced, not an error.
    await db.query(sql`UPDATE settings SET value = '[1,2]'::jsonb WHERE key = 'chat-test'`);
    expect(await mergeSetting(ctx, 'chat-test', { c: true })).toEqual({ c: true });
  });

  it('begins a reply in one transaction: question, streaming answer and running run', async () => {
    const session = await createSession(ctx, { title: '' });
    const runId = uuidv7();
    const began = await beginGeneration(ctx, {
      sessionId: session.id,
      user: { content: 'Q' },
      providerId: 'p',
      model: 'm',
      run: { id: runId, providerId: 'p', model: 'm' },
    });
    expect(began.userMessage).toMatchObject({ role: 'user', content: 'Q', status: 'complete', parentId: null });
    expect(began.assistantMessage).toMatchObject({
      role: 'assistant',
      status: 'streaming',
      parentId: began.userMessage!.id,
      providerId: 'p',
      model: 'm',
    });
    expect(began.run).toMatchObject({
      id: runId,
      status: 'running',
      messageId: began.assistantMessage.id,
      sessionId: session.id,
    });
    expect((await runForMessage(ctx, began.assistantMessage.id))?.id).toBe(runId);
    expect((await getSession(ctx, session.id)).currentLeafId).toBe(began.assistantMessage.id);

    // Regenerate: a second answer to the same question, no new question, no run.
    const again = await beginGeneration(ctx, {
      sessionId: session.id,
      answerTo: began.userMessage!.id,
      providerId: null,
      model: null,
      run: null,
    });
    expect(again.userMessage).toBeNull();
    expect(again.assistantMessage.parentId).toBe(began.userMessage!.id);
    expect(again.run).toBeNull();
    expect(await runForMessage(ctx, again.assistantMessage.id)).toBeNull();

    // A failure part-way leaves nothing behind: the question is not saved without its answer.
    const count = (await getSession(ctx, session.id)).messageCount;
    const failed = await beginGeneration(ctx, {
      sessionId: session.id,
      user: { content: 'lost?' },
      providerId: 'p',
      model: 'm',
      run: { id: 'not-a-uuid', providerId: 'p', model: 'm' },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).not.toBeNull();
    expect((await getSession(ctx, session.id)).messageCount).toBe(count);
    expect(await confabCode(beginGeneration(ctx, { sessionId: session.id, providerId: null, model: null }))).toBe(
      'invalid_input',
    );
  });

  it('sets an automatic title only while the chat is untitled', async () => {
    const session = await createSession(ctx, {});
    expect((await setTitleIfEmpty(ctx, session.id, '  Auto title  '))?.title).toBe('Auto title');
    expect(await setTitleIfEmpty(ctx, session.id, 'Second')).toBeNull();
    expect((await getSession(ctx, session.id)).title).toBe('Auto title');
    expect(await setTitleIfEmpty(ctx, uuidv7(), 'Nobody')).toBeNull();
  });
});

describe.each(engines.filter((e) => e.url))('upgrading a 0001 database to 0002 on $name', (engine) => {
  it('keeps existing chats and runs', async () => {
    const all = loadMigrations(MIGRATIONS_DIR);
    const v1 = await openMigratedServerDb(engine.url!, all.slice(0, 1));
    try {
      const ctx = { db: v1.db, ownerId: v1.ownerId };
      const session = await createSession(ctx, { title: 'Before' });
      await v1.db.query(sql`INSERT INTO generation_runs (id, owner_id, session_id, provider_id, model, status)
                             VALUES (${uuidv7()}, ${v1.ownerId}, ${session.id}, 'p', 'm', 'succeeded')`);
      await migrate(v1.db, all);
      const versions = await v1.db.query<{ version: number }>(
        sql`SELECT version FROM confab_migrations ORDER BY version`,
      );
      expect(versions.map((r) => r.version)).toEqual(all.map((m) => m.version));
      expect((await getSession(ctx, session.id)).title).toBe('Before');
      expect((await listProviderConfigs(ctx)).length).toBe(0);
    } finally {
      await v1.close();
    }
  });
});
