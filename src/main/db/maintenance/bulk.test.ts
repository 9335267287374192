import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '@shared/ids';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import { insertCorpus, type CorpusMessage, type CorpusRun, type CorpusSession } from './bulk';
import type { RepoContext } from '../context';
import { listBranch } from '../messages/repository';
import { getSession } from '../sessions/repository';

function corpus(base: number) {
  const session: CorpusSession = {
    id: uuidv7(),
    title: 'Imported',
    status: 'archived',
    pinned: true,
    tags: ['import'],
    provider_id: 'openai',
    model: 'gpt-a',
    current_leaf_id: null,
    created_at: new Date(base).toISOString(),
    last_activity_at: new Date(base).toISOString(),
  };
  const messages: CorpusMessage[] = [];
  let parent: string | null = null;
  for (let i = 0; i < 6; i++) {
    const m: CorpusMessage = {
      id: uuidv7(),
      session_id: session.id,
      parent_id: parent,
      depth: i,
      role: i % 2 ? 'assistant' : 'user',
      content: `line ${i}`,
      status: 'complete',
      model: i % 2 ? 'gpt-a' : null,
      provider_id: i % 2 ? 'openai' : null,
      tokens_in: i % 2 ? 100 : null,
      tokens_out: i % 2 ? 10 : null,
      latency_ms: i % 2 ? 500 : null,
      created_at: new Date(base + i * 60_000).toISOString(),
    };
    messages.push(m);
    parent = m.id;
  }
  session.current_leaf_id = parent;
  const runs: CorpusRun[] = messages
    .filter((m) => m.role === 'assistant')
    .map((m) => ({
      id: uuidv7(),
      session_id: session.id,
      message_id: m.id,
      provider_id: 'openai',
      model: 'gpt-a',
      status: 'succeeded',
      tokens_in: 100,
      tokens_out: 10,
      ttft_ms: 100,
      total_ms: 500,
      error_code: null,
      error_message: null,
      started_at: m.created_at,
      finished_at: m.created_at,
    }));
  return { session, messages, runs };
}

describe.each(ENGINES)('bulk insert on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('inserts sessions, messages and runs with counters, depth and current leaf kept', async () => {
    const base = Date.parse('2025-06-01T00:00:00Z');
    const { session, messages, runs } = corpus(base);
    expect(await insertCorpus(ctx, { sessions: [session], messages, runs })).toEqual({
      sessions: 1,
      messages: 6,
      runs: 3,
    });
    const s = await getSession(ctx, session.id);
    expect(s).toMatchObject({
      title: 'Imported',
      status: 'archived',
      pinned: true,
      tags: ['import'],
      ownerId: t.ownerId,
      messageCount: 6,
      tokensIn: 300,
      tokensOut: 30,
      currentLeafId: messages[5]!.id,
      lastMessageAt: messages[5]!.created_at,
      createdAt: session.created_at,
      lastMessagePreview: 'line 5',
    });
    // Activity moves forward to the newest message, never back.
    expect(s.lastActivityAt).toBe(messages[5]!.created_at);
    const branch = await listBranch(ctx, { sessionId: session.id, limit: 50 });
    expect(branch.items.map((m) => [m.id, m.depth])).toEqual(messages.map((m) => [m.id, m.depth]));
    const totals = await t.db.query<{ runs: number; succeeded: number; tokens_in: number; tokens_out: number }>(sql`
      SELECT count(*)::int AS runs, count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
             sum(tokens_in)::int AS tokens_in, sum(tokens_out)::int AS tokens_out
        FROM generation_runs WHERE started_at >= '2025-06-01T00:00:00Z' AND started_at < '2025-06-02T00:00:00Z'`);
    expect(totals[0]).toEqual({ runs: 3, succeeded: 3, tokens_in: 300, tokens_out: 30 });
    const owners = await t.db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM messages WHERE session_id = ${session.id} AND owner_id = ${t.ownerId}`,
    );
    expect(owners[0]!.n).toBe(6);
  });

  it('fills depth from the parent when a writer leaves it 0', async () => {
    const { session, messages } = corpus(Date.parse('2025-07-01T00:00:00Z'));
    await insertCorpus(ctx, { sessions: [{ ...session, current_leaf_id: null }] });
    // Separate batches, depth not given: the trigger looks the parent up.
    for (const m of messages) await insertCorpus(ctx, { messages: [{ ...m, depth: 0 }] });
    const rows = await t.db.query<{ depth: number }>(
      sql`SELECT depth FROM messages WHERE session_id = ${session.id} ORDER BY created_at`,
    );
    expect(rows.map((r) => r.depth)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await getSession(ctx, session.id)).messageCount).toBe(6);
  });

  it('is all or nothing: a bad row rolls back the whole batch', async () => {
    const { session, messages, runs } = corpus(Date.parse('2025-08-01T00:00:00Z'));
    const bad = { ...messages[3]!, role: 'robot' };
    await expect(
      insertCorpus(ctx, { sessions: [session], messages: [...messages.slice(0, 3), bad], runs: [] }),
    ).rejects.toThrow();
    const left = await t.db.query(sql`SELECT id FROM chat_sessions WHERE id = ${session.id}`);
    expect(left).toEqual([]);
    // The connection is usable afterwards, and the same batch without the bad row goes in.
    expect(await insertCorpus(ctx, { sessions: [session], messages, runs })).toEqual({
      sessions: 1,
      messages: 6,
      runs: 3,
    });
  });

  it('accepts an empty batch', async () => {
    expect(await insertCorpus(ctx, {})).toEqual({ sessions: 0, messages: 0, runs: 0 });
  });
});
