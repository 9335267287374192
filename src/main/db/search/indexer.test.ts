/**
 * Deferred search indexing on a real PGlite: rows a bulk writer stored unindexed are found by
 * Cmd+K and Cmd+F before the indexer reaches them and by stemmed search after; the indexer is not
 * an edit (no updated_at, HLC, outbox or change-feed effect); the job runs only when rows wait.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmptyChangeSet } from '@shared/changes';
import { uuidv7 } from '@shared/ids';
import { openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { CallQueue } from '../callQueue';
import { drainChanges, startChangeCapture } from '../changes';
import type { RepoContext } from '../context';
import { JOB_DEFINITIONS } from '../jobs/registry';
import { JobRunner } from '../jobs/runner';
import { insertCorpus, type CorpusMessage } from '../maintenance/bulk';
import { appendMessage } from '../messages/repository';
import type { FromWorker } from '../protocol';
import { createSession } from '../sessions/repository';
import { sql } from '../sql';
import { SearchIndexScheduler, countUnindexed, deferSearchIndexing, indexAllSearch, indexSearchBatch } from './indexer';
import { searchInSession, searchMessages } from './repository';

describe('deferred search indexing on PGlite', () => {
  let t: TestDb;
  let ctx: RepoContext;
  let sessionId: string;
  const ids: Record<string, string> = {};

  const hitIds = async (q: string) =>
    (await searchMessages(ctx, { q, view: 'all', limit: 20 })).hits
      .filter((h) => h.kind === 'message')
      .map((h) => h.messageId);

  /** Stored as a bulk writer stores them: one transaction with confab.defer_search on. */
  async function bulkWrite(contents: Record<string, string>) {
    const base = Date.now() - 60_000;
    let parent: string | null = null;
    const rows: CorpusMessage[] = Object.entries(contents).map(([key, content], i) => {
      const id = uuidv7();
      ids[key] = id;
      const row: CorpusMessage = {
        id,
        session_id: sessionId,
        parent_id: parent,
        depth: i,
        role: i % 2 === 0 ? 'user' : 'assistant',
        content,
        status: 'complete',
        model: null,
        provider_id: null,
        tokens_in: null,
        tokens_out: null,
        latency_ms: null,
        created_at: new Date(base + i * 1000).toISOString(),
      };
      parent = id;
      return row;
    });
    await insertCorpus(ctx, { messages: rows });
    await ctx.db.query(sql`UPDATE chat_sessions SET current_leaf_id = ${parent} WHERE id = ${sessionId}`);
  }

  beforeAll(async () => {
    t = await openTestDb('pglite');
    ctx = { db: t.db, ownerId: t.ownerId };
    sessionId = (await createSession(ctx, { title: 'Imported history' })).id;
    await bulkWrite({
      synced: 'Are my notes synced between the laptop and the phone yet?',
      postgres: 'PGlite runs PostgreSQL compiled to WASM inside the app.',
      phrase: 'Mortgage interest rates went up again this spring.',
      cjk: '我们的数据库很快。',
      empty: '',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores bulk-written rows unindexed, and a normal write indexed at once (empty text too)', async () => {
    expect(await countUnindexed(t.db)).toBe(5);
    const normal = await appendMessage(ctx, { sessionId, role: 'user', content: '' });
    const [row] = await t.db.query<{ tsv: string | null }>(sql`SELECT search_tsv::text AS tsv FROM messages WHERE id = ${normal.id}`);
    expect(row!.tsv).toBe('');
    await t.db.query(sql`DELETE FROM messages WHERE id = ${normal.id}`);
  });

  it('finds rows that wait: words, a stem, a prefix, a phrase, a substring in any script', async () => {
    expect(await hitIds('synced')).toEqual([ids.synced]);
    // "syncing" finds "synced" through its stem "sync", a substring of the written form.
    expect(await hitIds('syncing ')).toEqual([ids.synced]);
    expect(await hitIds('postg')).toEqual([ids.postgres]);
    expect(await hitIds('"interest rates"')).toEqual([ids.phrase]);
    expect(await hitIds('"rates interest"')).toEqual([]);
    expect(await hitIds('数据库')).toEqual([ids.cjk]);
    expect(await hitIds('laptop phone')).toEqual([ids.synced]);
    expect(await hitIds('laptop zebra')).toEqual([]);
    // Ranked and marked like an indexed row: the vector is made on the spot.
    const [hit] = (await searchMessages(ctx, { q: 'syncing', view: 'all', limit: 5 })).hits;
    expect(hit!.snippet).toContain('\u0002synced\u0003');
    expect(hit!.rank).toBeGreaterThan(0);
    // Find in chat (the import's own check) stems rows that wait.
    const inChat = await searchInSession(ctx, { sessionId, q: 'syncing ', limit: 10 });
    expect(inChat.hits.map((h) => h.messageId)).toEqual([ids.synced]);
  });

  it('indexes without an edit: no updated_at, HLC, outbox or change-feed effect', async () => {
    await startChangeCapture(t.db);
    await t.db.query(sql`DELETE FROM sync_outbox`);
    await drainChanges(t.db);
    const before = await t.db.query(
      sql`SELECT id, updated_at, status_hlc, deleted_hlc FROM messages ORDER BY id`,
    );
    const counters = await t.db.query(sql`SELECT message_count, updated_at FROM chat_sessions WHERE id = ${sessionId}`);

    expect(await indexSearchBatch(t.db, 2)).toBe(2);
    expect(await countUnindexed(t.db)).toBe(3);
    expect(await indexAllSearch(t.db)).toBe(3);

    expect(await t.db.query(sql`SELECT id, updated_at, status_hlc, deleted_hlc FROM messages ORDER BY id`)).toEqual(before);
    expect(await t.db.query(sql`SELECT message_count, updated_at FROM chat_sessions WHERE id = ${sessionId}`)).toEqual(counters);
    expect(await t.db.query(sql`SELECT * FROM sync_outbox`)).toEqual([]);
    expect(isEmptyChangeSet(await drainChanges(t.db))).toBe(true);
    // Every row now holds what the former generated column held.
    const [wrong] = await t.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM messages
       WHERE search_tsv IS DISTINCT FROM to_tsvector('english', left(content, 200000))`);
    expect(wrong!.n).toBe(0);
    // The role is back to normal for the rest of a transaction that indexed.
    await t.db.transaction(async (tx) => {
      await indexSearchBatch(tx, 10);
      const [role] = await tx.query<{ r: string }>(sql`SELECT current_setting('session_replication_role') AS r`);
      expect(role!.r).toBe('origin');
    });
  });

  it('finds indexed rows by stem through the index, and keeps a vector when the text is unchanged', async () => {
    expect(await hitIds('syncing')).toEqual([ids.synced]);
    expect(await hitIds('interest rate ')).toEqual([ids.phrase]);
    await t.db.transaction(async (tx) => {
      await deferSearchIndexing(tx);
      // Same text (a merge or restore rewriting the row): stays indexed.
      await tx.query(sql`UPDATE messages SET content = content, model = 'm' WHERE id = ${ids.synced}`);
      // New text under deferral: waits again.
      await tx.query(sql`UPDATE messages SET content = 'Rates fell in autumn.' WHERE id = ${ids.phrase}`);
    });
    const rows = await t.db.query<{ id: string; waiting: boolean }>(
      sql`SELECT id, search_tsv IS NULL AS waiting FROM messages WHERE id IN (${ids.synced}, ${ids.phrase})`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.waiting]))).toEqual({ [ids.synced!]: false, [ids.phrase!]: true });
    expect(await hitIds('autumn')).toEqual([ids.phrase]);
    // An edit outside a bulk writer indexes at once.
    await t.db.query(sql`UPDATE messages SET content = 'Rates rose in winter.' WHERE id = ${ids.phrase}`);
    expect(await countUnindexed(t.db)).toBe(0);
    expect(await hitIds('winter')).toEqual([ids.phrase]);
  });

  it('runs the job only when rows wait, and again for rows written while it ran', async () => {
    const queue = new CallQueue();
    const sent: FromWorker[] = [];
    const jobs = new JobRunner({ ctx, queue, send: (m) => sent.push(m), definitions: JOB_DEFINITIONS });
    const scheduler = new SearchIndexScheduler({ db: t.db, queue, start: () => jobs.start(uuidv7(), 'search.index', {}) });
    const done = () => sent.filter((m) => m.type === 'job.done');

    scheduler.kick();
    await scheduler.idle();
    expect(done()).toEqual([]);

    await bulkWrite({ later1: 'A kettle whistles.', later2: 'The kettle boiled over.' });
    scheduler.kick();
    scheduler.kick();
    await scheduler.idle();
    expect(done()).toHaveLength(1);
    expect(done()[0]).toMatchObject({ kind: 'search.index', status: 'succeeded', value: { indexed: 2 } });
    expect(await countUnindexed(t.db)).toBe(0);
    expect(await hitIds('kettles')).toHaveLength(2);
  });
});
