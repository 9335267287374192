import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import { createSession } from '../sessions/repository';
import {
  interruptRunningRuns,
  recordRun,
  type RecordRunInput,
} from './runs';


describe.each(ENGINES)('usage on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  const run = (input: Partial<RecordRunInput> & { startedAt: string }) =>
    recordRun(ctx, { providerId: 'openai', model: 'gpt-a', status: 'succeeded', tokensIn: 0, tokensOut: 0, ...input });

  it('records a run, fills finishedAt for a finished one, and upserts by id', async () => {
    const s = await createSession(ctx, { title: 'runs' });
    const started = '2024-05-05T10:00:00.000Z';
    const r = await recordRun(ctx, {
      sessionId: s.id,
      providerId: 'anthropic',
      model: 'claude-x',
      status: 'running',
      startedAt: started,
      ttftMs: null,
    });
    expect(r).toMatchObject({
      sessionId: s.id,
      messageId: null,
      providerId: 'anthropic',
      model: 'claude-x',
      status: 'running',
      tokensIn: 0,
      tokensOut: 0,
      tokensEstimated: false,
      ttftMs: null,
      totalMs: null,
      startedAt: started,
      finishedAt: null,
    });

    const done = await recordRun(ctx, {
      id: r.id,
      sessionId: s.id,
      providerId: 'anthropic',
      model: 'claude-x',
      status: 'succeeded',
      tokensIn: 1200,
      tokensOut: 345,
      tokensEstimated: true,
      ttftMs: 210,
      totalMs: 4100,
      startedAt: '2030-01-01T00:00:00.000Z', // the start of a run never moves
    });
    expect(done).toMatchObject({
      id: r.id,
      status: 'succeeded',
      tokensIn: 1200,
      tokensOut: 345,
      tokensEstimated: true,
      ttftMs: 210,
      totalMs: 4100,
      startedAt: started,
    });
    expect(done.finishedAt).not.toBeNull();
    const rows = await t.db.query(sql`SELECT count(*)::int AS n FROM generation_runs WHERE id = ${r.id}`);
    expect(rows[0]!.n).toBe(1);

    const failed = await run({
      startedAt: started,
      status: 'failed',
      errorCode: 'http_429',
      errorMessage: 'Rate limited',
      finishedAt: '2024-05-05T10:00:02.000Z',
    });
    expect(failed).toMatchObject({
      status: 'failed',
      errorCode: 'http_429',
      errorMessage: 'Rate limited',
      finishedAt: '2024-05-05T10:00:02.000Z',
    });
  });

  it('interrupts runs left running, and only those', async () => {
    const a = await run({ startedAt: '2024-06-01T00:00:00Z', status: 'running' });
    const b = await run({ startedAt: '2024-06-01T00:00:00Z', status: 'succeeded' });
    expect(await interruptRunningRuns(ctx)).toBeGreaterThanOrEqual(1);
    const rows = await t.db.query<{ id: string; status: string; error_code: string | null; finished: boolean }>(
      sql`SELECT id, status, error_code, finished_at IS NOT NULL AS finished FROM generation_runs WHERE id IN (${a.id}, ${b.id}) ORDER BY id`,
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[a.id]).toMatchObject({ status: 'interrupted', error_code: 'interrupted', finished: true });
    expect(byId[b.id]).toMatchObject({ status: 'succeeded', error_code: null });
    expect(await interruptRunningRuns(ctx)).toBe(0);
  });
});
