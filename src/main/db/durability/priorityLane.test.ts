/**
 * Issue 9 item 13: a streaming reply's saves must not wait behind bulk work in the DB worker, or a
 * crash loses more text than one save interval. On the real worker (PGlite in a worker thread)
 * and, end to end, through the chat runner streaming from a real local HTTP model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { startChatCore, removeDataDir, type ChatCore } from '../../../../tests/helpers/chatCore';
import { MIGRATIONS_DIR } from '../../../../tests/helpers/engines';
import { startFakeLlm, type FakeLlm } from '../../../../tests/helpers/fakeLlm';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus } from '../../../../scripts/lib/corpus';
import { startDbWorker, type DbClient } from '../client';

const WORKER = resolve(import.meta.dirname, '../../../../tests/helpers/db-worker-ts.mjs');
const BULK_CALLS = 5;

/** Bulk rows in BULK_CALLS batches: each a many-row write of a few hundred milliseconds. */
function bulkBatches(seed: number) {
  const plan = planCorpus(
    defaultCorpusOptions({
      seed,
      sessions: BULK_CALLS * 10,
      messages: BULK_CALLS * 500,
      bigSession: 2,
      specials: false,
    }),
  );
  // Whole sessions per batch, at least 250 messages each: more than BULK_CALLS of them.
  const batches = [...batchCorpus(generateSessions(plan), 250)].slice(0, BULK_CALLS);
  expect(batches).toHaveLength(BULK_CALLS);
  return batches;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('the DB worker queue under bulk work', () => {
  it('runs a reply save sent after several bulk writes before the bulk writes still waiting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confab-priority-'));
    const db: DbClient = await startDbWorker({
      workerPath: WORKER,
      open: { dataDir: join(dir, 'data'), migrationsDir: MIGRATIONS_DIR, templateDir: inject('pgliteTemplateDir') },
      retention: false,
    });
    cleanups.push(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const session = await db.call('sessions.create', { title: 'streaming' });
    const reply = await db.call('messages.append', {
      sessionId: session.id,
      role: 'assistant',
      content: '',
      status: 'streaming',
    });
    const batches = bulkBatches(41);

    // Posted in one go: the first bulk write starts at once and the rest queue behind it; the
    // save comes last of all.
    const order: string[] = [];
    const bulk = batches.map((batch, i) =>
      db.call('bulk.insertCorpus', batch).then(() => void order.push(`bulk ${i}`)),
    );
    const save = db
      .call('messages.updateStreaming', { id: reply.id, content: 'the reply so far' }, { priority: 'high' })
      .then(() => void order.push('save'));
    await Promise.all([...bulk, save]);

    // In one lane it would be last. Urgent, it waits for the write running when it arrives (and,
    // on a slow machine, one that started before it was delivered), not for the queued ones.
    expect(order.indexOf('save')).toBeLessThanOrEqual(2);
    expect((await db.call('messages.get', { id: reply.id })).content).toBe('the reply so far');
  });
});

describe('a streaming reply while bulk writes queue', () => {
  let fake: FakeLlm;
  let chat: ChatCore;

  it('keeps saving the reply before the queued bulk writes finish', async () => {
    fake = await startFakeLlm({ models: ['fake-small'] });
    chat = await startChatCore({ chat: { persistIntervalMs: 50 } });
    cleanups.push(async () => {
      await chat.close();
      removeDataDir(chat.dataDir);
      await fake.close();
    });
    await chat.api.settings.setChat({ autoTitle: false });
    const provider = await chat.api.providers.create({
      preset: 'custom',
      name: 'Fake OpenAI',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'fake-small',
    });
    const session = await chat.api.sessions.create({ providerId: provider.id });
    // Far longer than the test: the reply is still streaming when the bulk writes are done.
    fake.enqueue({ kind: 'slow', chunks: Array.from({ length: 20_000 }, (_, i) => `w${i % 10} `), delayMs: 5 });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'A long answer, please.' });
    const replyId = sent.assistantMessage.id;
    await chat.waitFor('chat.delta', (p) => p.messageId === replyId && p.text.length > 0);

    const batches = bulkBatches(43);
    let bulkDone = 0;
    const bulk = batches.map((batch) => chat.core.db.call('bulk.insertCorpus', batch).then(() => void (bulkDone += 1)));
    // Every save posted before the bulk writes carries at most the text streamed until now.
    const streamedWhenQueued = chat.events
      .filter((e) => e.name === 'chat.delta')
      .reduce((n, e) => n + (e.payload as { text: string }).text.length, 0);

    let bulkDoneWhenSaved = -1;
    await vi.waitFor(
      async () => {
        const saved = await chat.core.db.call('messages.get', { id: replyId }, { priority: 'high' });
        expect(saved.content.length).toBeGreaterThan(streamedWhenQueued);
        bulkDoneWhenSaved = bulkDone;
      },
      { timeout: 60_000, interval: 20 },
    );
    await Promise.all(bulk);
    // A save posted after the bulk writes landed while some of them still waited: in one lane it
    // would have come after all of them.
    expect(bulkDoneWhenSaved).toBeGreaterThanOrEqual(0);
    expect(bulkDoneWhenSaved).toBeLessThan(BULK_CALLS);
    const reply = await chat.core.db.call('messages.get', { id: replyId });
    expect(reply.status).toBe('streaming');
  });
});
