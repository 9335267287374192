/**
 * Migration 0003 (usage: prices, rollups, dashboard functions) on every engine the SQL must run
 * on: PGlite, the run's real PostgreSQL and, when reachable, a PostgreSQL of another major
 * version (CONFAB_TEST_EXTRA_PG_URL overrides, "off" disables).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import type { RepoContext } from '../../src/main/db/context';
import { deletePrice, listPrices, setPrice } from '../../src/main/db/usage/prices';
import { createSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import { MIGRATIONS_DIR, openTestDb } from '../helpers/engines';
import { openMigratedServerDb, testServers } from '../helpers/servers';

interface Engine {
  name: string;
  open(): Promise<{ db: Db; ownerId: string; close(): Promise<void> }>;
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

/** The rollups summed, next to the same figures computed from the runs themselves. */
async function rollupsMatchRuns(db: Db): Promise<void> {
  const pairs: [ReturnType<typeof sql>, ReturnType<typeof sql>][] = [
    [
      sql`SELECT owner_id, day, provider_id, model, runs, succeeded, failed, cancelled, interrupted, tokens_in, tokens_out
            FROM usage_rollup_daily WHERE runs <> 0 ORDER BY 1, 2, 3, 4`,
      sql`SELECT owner_id, (started_at AT TIME ZONE 'UTC')::date AS day, provider_id, model, count(*) AS runs,
                 count(*) FILTER (WHERE status = 'succeeded') AS succeeded, count(*) FILTER (WHERE status = 'failed') AS failed,
                 count(*) FILTER (WHERE status = 'cancelled') AS cancelled, count(*) FILTER (WHERE status = 'interrupted') AS interrupted,
                 sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out
            FROM generation_runs WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    ],
    [
      sql`SELECT owner_id, bucket, runs, succeeded, failed, cancelled, tokens_in, tokens_out
            FROM usage_rollup_quarter WHERE runs <> 0 ORDER BY 1, 2`,
      sql`SELECT owner_id, usage_quarter_of(started_at) AS bucket, count(*) AS runs,
                 count(*) FILTER (WHERE status = 'succeeded') AS succeeded, count(*) FILTER (WHERE status = 'failed') AS failed,
                 count(*) FILTER (WHERE status = 'cancelled') AS cancelled, sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out
            FROM generation_runs WHERE deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    ],
    [
      sql`SELECT owner_id, session_id, day, runs, tokens_in, tokens_out FROM usage_rollup_session WHERE runs <> 0 ORDER BY 1, 2, 3`,
      sql`SELECT owner_id, session_id, (started_at AT TIME ZONE 'UTC')::date AS day, count(*) AS runs,
                 sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out
            FROM generation_runs WHERE deleted_at IS NULL AND session_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ],
  ];
  for (const [rollup, raw] of pairs) {
    const norm = (rows: Record<string, unknown>[]) => JSON.parse(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : typeof v === 'number' ? String(v) : v))) as unknown;
    expect(norm(await db.query(rollup))).toEqual(norm(await db.query(raw)));
  }
}

describe.each(engines)('migration 0003 on $name', (engine) => {
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

  it('records itself and creates its tables, functions and indexes', async () => {
    const applied = await db.query<{ version: number; name: string }>(sql`SELECT version, name FROM confab_migrations ORDER BY version`);
    expect(applied.map((r) => [r.version, r.name])).toContainEqual([3, 'usage']);
    const tables = await db.query<{ t: string }>(sql`
      SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE ANY (ARRAY['model_prices', 'usage_rollup_%'])
       ORDER BY 1`);
    expect(tables.map((r) => r.t)).toEqual(['model_prices', 'usage_rollup_daily', 'usage_rollup_quarter', 'usage_rollup_session']);
    const indexes = await db.query(sql`SELECT 1 FROM pg_indexes WHERE indexname IN
      ('generation_runs_owner_started_idx', 'generation_runs_latency_idx', 'generation_runs_failed_idx',
       'generation_runs_details_idx', 'tool_executions_started_idx', 'chat_sessions_inactive_idx')`);
    expect(indexes).toHaveLength(6);
  });

  it('normalises model names so one price covers dated and vendor-prefixed spellings', async () => {
    const cases: [string, string][] = [
      ['gpt-4o', 'gpt-4o'],
      ['GPT-4o-2024-08-06', 'gpt-4o'],
      ['openai/gpt-4o', 'gpt-4o'],
      ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
      ['anthropic/claude-3.5-sonnet', 'claude-3-5-sonnet'],
      ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
      [' gpt-4.1-mini ', 'gpt-4-1-mini'],
      ['llama3.1:8b', 'llama3-1:8b'],
    ];
    for (const [model, key] of cases) {
      const rows = await db.query<{ k: string }>(sql`SELECT confab_price_key(${model}) AS k`);
      expect(rows[0]!.k, model).toBe(key);
    }
  });

  it('seeds prices for common cloud models and none for local ones, and checks them', async () => {
    const prices = await listPrices(ctx);
    const byModel = Object.fromEntries(prices.map((p) => [p.model, p]));
    expect(byModel['gpt-4o']).toMatchObject({ inputPerMTok: 2.5, outputPerMTok: 10, isDefault: true, modelKey: 'gpt-4o' });
    expect(byModel['claude-opus-4-1']).toMatchObject({ inputPerMTok: 15, outputPerMTok: 75 });
    for (const m of ['gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5']) {
      expect(byModel[m], m).toBeDefined();
    }
    expect(prices.some((p) => /llama|qwen|mistral/.test(p.model))).toBe(false);

    const insert = (model: string, input: number) =>
      db.query(sql`INSERT INTO model_prices (model, input_per_mtok, output_per_mtok) VALUES (${model}, ${input}, 1)`);
    expect(await sqlState(insert('free-model', -1))).toBe('23514');
    expect(await sqlState(insert('   ', 1))).toBe('23514');
    // Another spelling of a priced model would price the same runs twice.
    expect(await sqlState(insert('openai/gpt-4o-2024-05-13', 1))).toBe('23505');
  });

  it('sets, replaces and deletes prices', async () => {
    const set = await setPrice(ctx, { model: 'my-local-model', inputPerMTok: 0.1, outputPerMTok: 0.2 });
    expect(set).toMatchObject({ model: 'my-local-model', modelKey: 'my-local-model', isDefault: false, inputPerMTok: 0.1 });
    // A spelling of an existing key replaces that row (name included): one price per model.
    const replaced = await setPrice(ctx, { model: 'openai/my-local-model', inputPerMTok: 1, outputPerMTok: 2 });
    expect(replaced.model).toBe('openai/my-local-model');
    const mine = (await listPrices(ctx)).filter((p) => p.modelKey === 'my-local-model');
    expect(mine.map((p) => [p.model, p.inputPerMTok, p.outputPerMTok])).toEqual([['openai/my-local-model', 1, 2]]);
    // Editing a seeded price marks it as the user's.
    expect((await setPrice(ctx, { model: 'o3', inputPerMTok: 2, outputPerMTok: 8 })).isDefault).toBe(false);
    expect(await deletePrice(ctx, 'openai/my-local-model')).toBe(true);
    expect(await deletePrice(ctx, 'openai/my-local-model')).toBe(false);
  });

  it('keeps the rollups equal to the runs through inserts, upserts, updates and deletes', async () => {
    const s1 = await createSession(ctx, { title: 'a' });
    const s2 = await createSession(ctx, { title: 'b' });
    const statuses = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted'];
    const ids: string[] = [];
    // One statement, many rows (as a bulk insert does), across buckets, sessions and models.
    const rows = Array.from({ length: 60 }, (_, i) => {
      const id = uuidv7();
      ids.push(id);
      return {
        id,
        owner_id: ctx.ownerId,
        session_id: i % 3 === 0 ? null : i % 2 ? s1.id : s2.id,
        provider_id: i % 2 ? 'openai' : 'anthropic',
        model: `m${i % 4}`,
        status: statuses[i % 5],
        tokens_in: i * 10,
        tokens_out: i,
        started_at: new Date(Date.parse('2041-01-01T23:00:00Z') + i * 7 * 60_000).toISOString(),
      };
    });
    await db.query(sql`
      INSERT INTO generation_runs (id, owner_id, session_id, provider_id, model, status, tokens_in, tokens_out, started_at)
      SELECT r.id, r.owner_id, r.session_id, r.provider_id, r.model, r.status, r.tokens_in, r.tokens_out, r.started_at
        FROM json_populate_recordset(NULL::generation_runs, ${JSON.stringify(rows)}::json) r`);
    await rollupsMatchRuns(db);

    await db.query(sql`UPDATE generation_runs SET status = 'succeeded', tokens_out = tokens_out + 5 WHERE status = 'running'`);
    await db.query(sql`UPDATE generation_runs SET model = 'renamed', session_id = ${s2.id} WHERE id = ${ids[7]!}`);
    await db.query(sql`UPDATE generation_runs SET started_at = started_at + interval '3 days' WHERE id = ${ids[8]!}`);
    await db.query(sql`UPDATE generation_runs SET deleted_at = now() WHERE id IN (${ids[9]!}, ${ids[10]!})`);
    await db.query(sql`UPDATE generation_runs SET deleted_at = NULL WHERE id = ${ids[9]!}`);
    await db.query(sql`DELETE FROM generation_runs WHERE id IN (${ids[11]!}, ${ids[12]!})`);
    await db.query(sql`
      INSERT INTO generation_runs (id, owner_id, provider_id, model, status, tokens_in, started_at)
      VALUES (${ids[13]!}, ${ctx.ownerId}, 'x', 'y', 'failed', 1, now())
      ON CONFLICT (id) DO UPDATE SET tokens_in = EXCLUDED.tokens_in, status = EXCLUDED.status`);
    await rollupsMatchRuns(db);
  });
});

describe.each(engines.filter((e) => e.url))('upgrading a 0002 database to 0003 on $name', (engine) => {
  it('builds the rollups from the runs already there', async () => {
    const all = loadMigrations(MIGRATIONS_DIR);
    const v2 = await openMigratedServerDb(engine.url!, all.slice(0, 2));
    try {
      const ctx = { db: v2.db, ownerId: v2.ownerId };
      const session = await createSession(ctx, { title: 'Before' });
      for (const [status, at] of [['succeeded', '2025-01-01T10:00:00Z'], ['failed', '2025-01-02T10:00:00Z']] as const) {
        await v2.db.query(sql`INSERT INTO generation_runs (id, owner_id, session_id, provider_id, model, status, tokens_in, started_at)
                              VALUES (${uuidv7()}, ${v2.ownerId}, ${session.id}, 'p', 'm', ${status}, 10, ${at}::timestamptz)`);
      }
      await migrate(v2.db, all);
      await rollupsMatchRuns(v2.db);
      const daily = await v2.db.query<{ runs: string | number }>(sql`SELECT sum(runs) AS runs FROM usage_rollup_daily`);
      expect(Number(daily[0]!.runs)).toBe(2);
    } finally {
      await v2.close();
    }
  });
});
