/**
 * Migration 0001 (core schema) on every engine it must run on: PGlite, the run's real PostgreSQL
 * and, when reachable, a second server of another major version (the system PostgreSQL 15 on
 * the reference machine; CONFAB_TEST_EXTRA_PG_URL overrides, "off" disables).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { sql } from '../../src/main/db/sql';
import { openTestDb } from '../helpers/engines';
import { openMigratedServerDb, testServers } from '../helpers/servers';

interface Engine {
  name: string;
  open(): Promise<{ db: Db; ownerId: string; close(): Promise<void> }>;
}

const engines: Engine[] = [
  { name: 'PGlite', open: () => openTestDb('pglite') },
  ...(await testServers()).map((server) => ({ name: server.name, open: () => openMigratedServerDb(server.url) })),
];

/** The SQLSTATE a statement fails with (PGlite and node-postgres both expose `code`). */
async function sqlState(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the statement to fail').not.toBeNull();
  return String((err as { code?: unknown }).code);
}

describe.each(engines)('migration 0001 on $name', (engine) => {
  let db: Db;
  let owner: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, ownerId: owner, close } = await engine.open());
  });
  afterAll(async () => {
    await close?.();
  });

  async function newSession(fields: { title?: string; updatedAt?: string } = {}): Promise<string> {
    const id = uuidv7();
    await db.query(sql`INSERT INTO chat_sessions (id, owner_id, title, updated_at)
                       VALUES (${id}, ${owner}, ${fields.title ?? 't'}, ${fields.updatedAt ?? '2000-01-01T00:00:00Z'})`);
    return id;
  }

  async function newMessage(
    sessionId: string,
    fields: {
      parentId?: string | null;
      content?: string;
      createdAt?: string;
      tokensIn?: number;
      tokensOut?: number;
    } = {},
  ): Promise<string> {
    const id = uuidv7();
    await db.query(sql`
      INSERT INTO messages (id, owner_id, session_id, parent_id, role, content, created_at, tokens_in, tokens_out)
      VALUES (${id}, ${owner}, ${sessionId}, ${fields.parentId ?? null}, 'user', ${fields.content ?? 'hi'},
              ${fields.createdAt ?? new Date().toISOString()}, ${fields.tokensIn ?? null}, ${fields.tokensOut ?? null})`);
    return id;
  }

  async function counters(sessionId: string) {
    const rows = await db.query<{
      message_count: number;
      tokens_in: string | number;
      tokens_out: string | number;
      last_message_at: Date | null;
    }>(sql`SELECT message_count, tokens_in, tokens_out, last_message_at FROM chat_sessions WHERE id = ${sessionId}`);
    const r = rows[0]!;
    return {
      count: r.message_count,
      tokensIn: Number(r.tokens_in),
      tokensOut: Number(r.tokens_out),
      last: r.last_message_at ? new Date(r.last_message_at).toISOString() : null,
    };
  }

  it('creates the tables, views and extension, and records itself', async () => {
    const tables = await db.query<{ table_name: string; table_type: string }>(sql`
      SELECT table_name, table_type FROM information_schema.tables
       WHERE table_schema = 'public' ORDER BY table_name`);
    expect(tables).toEqual(
      expect.arrayContaining(
        [
          'app_logs',
          'chat_sessions',
          'confab_migrations',
          'generation_runs',
          'messages',
          'secrets',
          'settings',
          'tool_executions',
          'ui_state',
          'users',
        ]
          .map((table_name) => ({ table_name, table_type: 'BASE TABLE' }))
          .concat(['daily_usage', 'session_summaries'].map((table_name) => ({ table_name, table_type: 'VIEW' }))),
      ),
    );
    expect(await db.query(sql`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`)).toHaveLength(1);
    const recorded = await db.query<{ version: number; name: string }>(
      sql`SELECT version, name FROM confab_migrations`,
    );
    expect(recorded.map((r) => [Number(r.version), r.name])).toContainEqual([1, 'core']);
  });

  it('gives every synced table a uuid key, owner_id, timestamptz times and a tombstone', async () => {
    const synced = ['users', 'chat_sessions', 'messages', 'generation_runs', 'tool_executions', 'app_logs'];
    const columns = await db.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>(sql`
      SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name IN ('id', 'owner_id', 'created_at', 'updated_at', 'deleted_at')`);
    for (const table of synced) {
      const of = (c: string) => columns.find((r) => r.table_name === table && r.column_name === c);
      expect(of('id'), `${table}.id`).toMatchObject({ data_type: 'uuid', is_nullable: 'NO' });
      expect(of('owner_id'), `${table}.owner_id`).toMatchObject({ data_type: 'uuid', is_nullable: 'NO' });
      for (const c of ['created_at', 'updated_at']) {
        expect(of(c), `${table}.${c}`).toMatchObject({ data_type: 'timestamp with time zone', is_nullable: 'NO' });
      }
      expect(of('deleted_at'), `${table}.deleted_at`).toMatchObject({
        data_type: 'timestamp with time zone',
        is_nullable: 'YES',
      });
    }
    const sequences = await db.query(sql`SELECT 1 FROM information_schema.sequences WHERE sequence_schema = 'public'`);
    expect(sequences).toEqual([]); // no serial ids anywhere
  });

  it('rejects bad statuses, roles and levels with check violations', async () => {
    const s = await newSession();
    const m = await newMessage(s);
    const checks: [string, () => Promise<unknown>][] = [
      ['session status', () => db.query(sql`UPDATE chat_sessions SET status = 'deleted' WHERE id = ${s}`)],
      ['session visibility', () => db.query(sql`UPDATE chat_sessions SET visibility = 'public' WHERE id = ${s}`)],
      [
        'session title length',
        () => db.query(sql`UPDATE chat_sessions SET title = ${'x'.repeat(501)} WHERE id = ${s}`),
      ],
      ['message role', () => db.query(sql`UPDATE messages SET role = 'admin' WHERE id = ${m}`)],
      ['message status', () => db.query(sql`UPDATE messages SET status = 'done' WHERE id = ${m}`)],
      ['message depth', () => db.query(sql`UPDATE messages SET depth = -1 WHERE id = ${m}`)],
      [
        'run status',
        () =>
          db.query(sql`INSERT INTO generation_runs (id, owner_id, provider_id, model, status)
                     VALUES (${uuidv7()}, ${owner}, 'p', 'm', 'exploded')`),
      ],
      [
        'run tokens',
        () =>
          db.query(sql`INSERT INTO generation_runs (id, owner_id, provider_id, model, tokens_in)
                     VALUES (${uuidv7()}, ${owner}, 'p', 'm', -1)`),
      ],
      [
        'tool status',
        () =>
          db.query(sql`INSERT INTO tool_executions (id, owner_id, tool_name, status)
                     VALUES (${uuidv7()}, ${owner}, 'x', 'maybe')`),
      ],
      [
        'log level',
        () =>
          db.query(sql`INSERT INTO app_logs (id, owner_id, level, source, message)
                     VALUES (${uuidv7()}, ${owner}, 'fatal', 's', 'm')`),
      ],
      ['user owns itself', () => db.query(sql`INSERT INTO users (id, owner_id) VALUES (${uuidv7()}, ${owner})`)],
    ];
    for (const [label, statement] of checks) expect(await sqlState(statement()), label).toBe('23514');
    // The good values all pass.
    for (const status of ['pending', 'streaming', 'complete', 'error', 'cancelled', 'interrupted']) {
      await db.query(sql`UPDATE messages SET status = ${status} WHERE id = ${m}`);
    }
    for (const role of ['user', 'assistant', 'system', 'tool']) {
      await db.query(sql`UPDATE messages SET role = ${role} WHERE id = ${m}`);
    }
    await db.query(sql`UPDATE chat_sessions SET status = 'archived', visibility = 'team' WHERE id = ${s}`);
  });

  it('touches updated_at on update, except while applying pulled changes', async () => {
    const s = await newSession({ updatedAt: '2000-01-01T00:00:00Z' });
    const updatedAt = async () =>
      new Date(
        (await db.query<{ u: Date }>(sql`SELECT updated_at AS u FROM chat_sessions WHERE id = ${s}`))[0]!.u,
      ).toISOString();

    await db.transaction(async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      await tx.query(sql`UPDATE chat_sessions SET title = 'pulled' WHERE id = ${s}`);
      await tx.query(sql`UPDATE chat_sessions SET updated_at = '2001-02-03T04:05:06Z' WHERE id = ${s}`);
    });
    expect(await updatedAt()).toBe('2001-02-03T04:05:06.000Z');

    // SET LOCAL ended with that transaction: a local edit is stamped again, even one that tries
    // to set an old time.
    await db.query(sql`UPDATE chat_sessions SET title = 'local', updated_at = '1999-01-01T00:00:00Z' WHERE id = ${s}`);
    expect(Date.parse(await updatedAt())).toBeGreaterThan(Date.parse('2020-01-01'));

    // The same trigger is on every synced table that changes.
    const m = await newMessage(s);
    const run = uuidv7();
    await db.query(sql`INSERT INTO generation_runs (id, owner_id, provider_id, model, updated_at)
                       VALUES (${run}, ${owner}, 'p', 'm', '2000-01-01T00:00:00Z')`);
    const tool = uuidv7();
    await db.query(sql`INSERT INTO tool_executions (id, owner_id, tool_name, updated_at)
                       VALUES (${tool}, ${owner}, 'x', '2000-01-01T00:00:00Z')`);
    await db.query(sql`UPDATE messages SET updated_at = '2000-01-01T00:00:00Z' WHERE id = ${m}`);
    await db.query(sql`UPDATE users SET updated_at = '2000-01-01T00:00:00Z' WHERE id = ${owner}`);
    const stamped = await db.query<{ t: string; old: boolean }>(sql`
      SELECT 'messages' AS t, updated_at < '2020-01-01' AS old FROM messages WHERE id = ${m}
      UNION ALL SELECT 'generation_runs', updated_at < '2020-01-01' FROM generation_runs WHERE id = ${run}
      UNION ALL SELECT 'tool_executions', updated_at < '2020-01-01' FROM tool_executions WHERE id = ${tool}
      UNION ALL SELECT 'users', updated_at < '2020-01-01' FROM users WHERE id = ${owner}`);
    // messages and users were just updated (touched); runs and tools still have their insert time.
    expect(stamped).toEqual(
      expect.arrayContaining([
        { t: 'messages', old: false },
        { t: 'users', old: false },
        { t: 'generation_runs', old: true },
        { t: 'tool_executions', old: true },
      ]),
    );
    await db.query(sql`UPDATE generation_runs SET status = 'succeeded' WHERE id = ${run}`);
    await db.query(sql`UPDATE tool_executions SET status = 'succeeded' WHERE id = ${tool}`);
    const after = await db.query<{ old: boolean }>(sql`
      SELECT updated_at < '2020-01-01' AS old FROM generation_runs WHERE id = ${run}
      UNION ALL SELECT updated_at < '2020-01-01' FROM tool_executions WHERE id = ${tool}`);
    expect(after).toEqual([{ old: false }, { old: false }]);
  });

  it('keeps session counters with statement triggers on bulk insert, update and delete', async () => {
    const a = await newSession();
    const b = await newSession();
    const t1 = '2026-01-01T10:00:00.000Z';
    const t2 = '2026-01-01T11:00:00.000Z';
    const t3 = '2026-01-01T12:00:00.000Z';
    const [m1, m2, m3, m4, gone] = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    // One statement, two sessions, one row already tombstoned.
    await db.query(sql`
      INSERT INTO messages (id, owner_id, session_id, role, content, created_at, tokens_in, tokens_out, deleted_at)
      VALUES (${m1}, ${owner}, ${a}, 'user', 'one', ${t1}, 10, 1, NULL),
             (${m2}, ${owner}, ${a}, 'assistant', 'two', ${t3}, 20, 2, NULL),
             (${m3}, ${owner}, ${a}, 'user', 'three', ${t2}, NULL, NULL, NULL),
             (${m4}, ${owner}, ${b}, 'user', 'four', ${t1}, 5, 5, NULL),
             (${gone}, ${owner}, ${b}, 'user', 'gone', ${t3}, 100, 100, now())`);
    expect(await counters(a)).toEqual({ count: 3, tokensIn: 30, tokensOut: 3, last: t3 });
    expect(await counters(b)).toEqual({ count: 1, tokensIn: 5, tokensOut: 5, last: t1 });

    // Content-only updates (streaming) change no counter.
    await db.query(sql`UPDATE messages SET content = content || '!' WHERE session_id = ${a}`);
    expect(await counters(a)).toEqual({ count: 3, tokensIn: 30, tokensOut: 3, last: t3 });

    // Tombstone two in one statement, including the newest: counts drop, last_message_at
    // falls back to the newest visible message.
    await db.query(sql`UPDATE messages SET deleted_at = now() WHERE id IN (${m2}, ${m3})`);
    expect(await counters(a)).toEqual({ count: 1, tokensIn: 10, tokensOut: 1, last: t1 });

    // Restore one; finalise another's tokens.
    await db.query(sql`UPDATE messages SET deleted_at = NULL WHERE id = ${m2}`);
    await db.query(sql`UPDATE messages SET tokens_out = 50 WHERE id = ${m1}`);
    expect(await counters(a)).toEqual({ count: 2, tokensIn: 30, tokensOut: 52, last: t3 });

    // Hard delete (purge) across both sessions in one statement.
    await db.query(sql`DELETE FROM messages WHERE session_id IN (${a}, ${b})`);
    expect(await counters(a)).toEqual({ count: 0, tokensIn: 0, tokensOut: 0, last: null });
    expect(await counters(b)).toEqual({ count: 0, tokensIn: 0, tokensOut: 0, last: null });
  });

  it('derives depth from the parent, also within one multi-row insert', async () => {
    const s = await newSession();
    const [r, c, g, root2] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    await db.query(sql`
      INSERT INTO messages (id, owner_id, session_id, parent_id, role, depth)
      VALUES (${r}, ${owner}, ${s}, NULL, 'user', 0),
             (${c}, ${owner}, ${s}, ${r}, 'assistant', 0),
             (${g}, ${owner}, ${s}, ${c}, 'user', 0),
             (${root2}, ${owner}, ${s}, NULL, 'user', 7)`);
    const depth = async (id: string) =>
      (await db.query<{ depth: number }>(sql`SELECT depth FROM messages WHERE id = ${id}`))[0]?.depth;
    expect([await depth(r), await depth(c), await depth(g), await depth(root2)]).toEqual([0, 1, 2, 0]);
    // A bulk writer that knows the depth passes it and the lookup is skipped.
    const known = uuidv7();
    await db.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, depth)
                       VALUES (${known}, ${owner}, ${s}, ${g}, 'assistant', 3)`);
    expect(await depth(known)).toBe(3);
  });

  it('defers foreign keys to commit: children before parents in one transaction', async () => {
    const s = uuidv7();
    const parent = uuidv7();
    const child = uuidv7();
    await db.transaction(async (tx) => {
      await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, depth)
                         VALUES (${child}, ${owner}, ${s}, ${parent}, 'assistant', 1)`);
      await tx.query(
        sql`INSERT INTO messages (id, owner_id, session_id, role) VALUES (${parent}, ${owner}, ${s}, 'user')`,
      );
      await tx.query(sql`INSERT INTO chat_sessions (id, owner_id, current_leaf_id) VALUES (${s}, ${owner}, ${child})`);
    });
    expect(await db.query(sql`SELECT count(*)::int AS n FROM messages WHERE session_id = ${s}`)).toEqual([{ n: 2 }]);

    // Still enforced: a dangling reference fails at commit and nothing is kept.
    const orphan = uuidv7();
    const state = await sqlState(
      db.transaction(async (tx) => {
        await tx.query(
          sql`INSERT INTO messages (id, owner_id, session_id, role) VALUES (${orphan}, ${owner}, ${uuidv7()}, 'user')`,
        );
      }),
    );
    expect(state).toBe('23503');
    expect(await db.query(sql`SELECT 1 FROM messages WHERE id = ${orphan}`)).toEqual([]);

    // Purging a session cascades to its messages; deleting the leaf clears current_leaf_id.
    await db.query(sql`DELETE FROM messages WHERE id = ${child}`);
    expect(await db.query(sql`SELECT current_leaf_id FROM chat_sessions WHERE id = ${s}`)).toEqual([
      { current_leaf_id: null },
    ]);
    await db.query(sql`DELETE FROM chat_sessions WHERE id = ${s}`);
    expect(await db.query(sql`SELECT 1 FROM messages WHERE session_id = ${s}`)).toEqual([]);
  });

  it('stores an English tsvector that stems, and derives it whatever a write says', async () => {
    const s = await newSession();
    const m = await newMessage(s, { content: 'The servers were syncing PostgreSQL replicas' });
    const hit = await db.query<{ hit: boolean }>(sql`
      SELECT search_tsv @@ to_tsquery('english', 'synced') AND search_tsv @@ to_tsquery('english', 'server')
             AND search_tsv @@ to_tsquery('english', 'postg:*') AS hit
        FROM messages WHERE id = ${m}`);
    expect(hit).toEqual([{ hit: true }]);
    // A generated column until 0016; since then a trigger derives it (the indexer alone writes
    // it directly, see 0016_deferred_search.test.ts), so an insert's own value is replaced.
    const other = await db.query<{ tsv: string }>(sql`
      INSERT INTO messages (id, owner_id, session_id, role, content, search_tsv)
      VALUES (${uuidv7()}, ${owner}, ${s}, 'user', 'cats', to_tsvector('simple', 'dogs'))
      RETURNING search_tsv::text AS tsv`);
    expect(other).toEqual([{ tsv: "'cat':1" }]);
    // Editing the content re-derives it.
    await db.query(sql`UPDATE messages SET content = 'nothing relevant' WHERE id = ${m}`);
    const after = await db.query<{ hit: boolean }>(
      sql`SELECT search_tsv @@ to_tsquery('english', 'sync') AS hit FROM messages WHERE id = ${m}`,
    );
    expect(after).toEqual([{ hit: false }]);
  });

  it('takes a 1 MB message of distinct words; the tsvector covers the first 200k characters', async () => {
    const s = await newSession();
    // Distinct words all the way: without the cap, a tsvector of 1 MB of them would overflow.
    let content = '';
    for (let i = 0; content.length < 1_000_000; i += 1) content += `w${i.toString(36)}q `;
    content = content.slice(0, 1_000_000 - ' tailmarker'.length) + ' tailmarker';
    const m = await newMessage(s, { content });
    const rows = await db.query<{ len: number; early: boolean; tail_tsv: boolean; tail_trgm: boolean }>(sql`
      SELECT length(content) AS len,
             search_tsv @@ to_tsquery('english', 'w1q') AS early,
             search_tsv @@ to_tsquery('english', 'tailmarker') AS tail_tsv,
             content ILIKE '%tailmarker%' AS tail_trgm
        FROM messages WHERE id = ${m}`);
    expect(rows).toEqual([{ len: 1_000_000, early: true, tail_tsv: false, tail_trgm: true }]);
  });

  it('summarises sessions with a preview of the newest visible message', async () => {
    const s = await newSession({ title: 'Summary' });
    await newMessage(s, { content: 'older', createdAt: '2026-01-01T00:00:00Z' });
    const newest = await newMessage(s, { content: 'n'.repeat(300), createdAt: '2026-01-02T00:00:00Z' });
    const summary = async () =>
      (
        await db.query<{
          title: string;
          last_message_preview: string;
          last_message_role: string;
          message_count: number;
        }>(
          sql`SELECT title, last_message_preview, last_message_role, message_count FROM session_summaries WHERE id = ${s}`,
        )
      )[0];
    expect(await summary()).toEqual({
      title: 'Summary',
      last_message_preview: 'n'.repeat(200),
      last_message_role: 'user',
      message_count: 2,
    });
    await db.query(sql`UPDATE messages SET deleted_at = now() WHERE id = ${newest}`);
    expect(await summary()).toMatchObject({ last_message_preview: 'older', message_count: 1 });
  });

  it('adds up daily usage per provider and model in the session time zone', async () => {
    const insertRun = (model: string, status: string, startedAt: string, tokensIn: number, deleted = false) =>
      db.query(sql`
        INSERT INTO generation_runs (id, owner_id, provider_id, model, status, tokens_in, tokens_out, started_at, deleted_at)
        VALUES (${uuidv7()}, ${owner}, 'daily-test', ${model}, ${status}, ${tokensIn}, 1, ${startedAt},
                ${deleted ? new Date().toISOString() : null})`);
    await insertRun('m1', 'succeeded', '2026-03-01T23:30:00Z', 10);
    await insertRun('m1', 'failed', '2026-03-01T08:00:00Z', 5);
    await insertRun('m1', 'cancelled', '2026-03-02T01:00:00Z', 1);
    await insertRun('m1', 'succeeded', '2026-03-01T09:00:00Z', 1000, true); // deleted: not counted
    const daily = (zone: string) =>
      db.transaction(async (tx) => {
        await tx.query(sql`SELECT set_config('TimeZone', ${zone}, true)`);
        return tx.query<{
          day: string;
          runs: number;
          succeeded: number;
          failed: number;
          cancelled: number;
          tokens_in: number;
        }>(sql`
          SELECT to_char(day, 'YYYY-MM-DD') AS day, runs::int, succeeded::int, failed::int, cancelled::int,
                 tokens_in::int
            FROM daily_usage WHERE provider_id = 'daily-test' ORDER BY day`);
      });
    expect(await daily('UTC')).toEqual([
      { day: '2026-03-01', runs: 2, succeeded: 1, failed: 1, cancelled: 0, tokens_in: 15 },
      { day: '2026-03-02', runs: 1, succeeded: 0, failed: 0, cancelled: 1, tokens_in: 1 },
    ]);
    // 23:30 UTC is already the next day in Tokyo.
    expect(await daily('Asia/Tokyo')).toEqual([
      { day: '2026-03-01', runs: 1, succeeded: 0, failed: 1, cancelled: 0, tokens_in: 5 },
      { day: '2026-03-02', runs: 2, succeeded: 1, failed: 0, cancelled: 1, tokens_in: 11 },
    ]);
  });

  it('has working trigram support for substring search', async () => {
    const s = await newSession();
    const m = await newMessage(s, { content: 'Синхронизация данных завершена' });
    const rows = await db.query<{ id: string }>(
      sql`SELECT id FROM messages WHERE content ILIKE ${'%хрониз%'} AND session_id = ${s}`,
    );
    expect(rows).toEqual([{ id: m }]);
    const sim = await db.query<{ s: number }>(sql`SELECT similarity('postgres', 'postgresql') AS s`);
    expect(sim[0]!.s).toBeGreaterThan(0.5);
  });
});
