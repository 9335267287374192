import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import type { RepoContext } from './context';
import { createSession } from './sessions';
import {
  interruptRunningRuns,
  recordRun,
  usageByModel,
  usageBySession,
  usageDaily,
  usageMonthly,
  usageTotals,
  type RecordRunInput,
} from './usage';

const zero = { runs: 0, succeeded: 0, failed: 0, cancelled: 0, tokensIn: 0, tokensOut: 0 };

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

  it('sums totals over a half-open range', async () => {
    // All in 2025, a year no other test uses.
    await run({ startedAt: '2025-02-01T00:00:00Z', tokensIn: 10, tokensOut: 1 }); // exactly at "from": in
    await run({ startedAt: '2025-02-10T12:00:00Z', tokensIn: 20, tokensOut: 2, status: 'failed' });
    await run({ startedAt: '2025-02-28T23:59:59.999Z', tokensIn: 30, tokensOut: 3, status: 'cancelled' });
    await run({ startedAt: '2025-03-01T00:00:00Z', tokensIn: 40, tokensOut: 4 }); // exactly at "to": out
    await run({ startedAt: '2025-01-31T23:59:59.999Z', tokensIn: 50, tokensOut: 5 }); // before: out
    const feb = { from: '2025-02-01T00:00:00Z', to: '2025-03-01T00:00:00Z', timeZone: 'UTC' };
    expect(await usageTotals(ctx, feb)).toEqual({
      runs: 3,
      succeeded: 1,
      failed: 1,
      cancelled: 1,
      tokensIn: 60,
      tokensOut: 6,
    });
    expect(
      await usageTotals(ctx, { from: '2025-03-01T00:00:00Z', to: '2025-03-01T00:00:00Z', timeZone: 'UTC' }),
    ).toEqual(zero);
    expect(
      await usageTotals(ctx, { from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', timeZone: 'UTC' }),
    ).toMatchObject({ runs: 5, tokensIn: 150 });
    // Open ends.
    const fromOnly = await usageTotals(ctx, { from: '2025-02-28T00:00:00Z', timeZone: 'UTC' });
    const toOnly = await usageTotals(ctx, { to: '2025-02-28T00:00:00Z', timeZone: 'UTC' });
    const all = await usageTotals(ctx, { timeZone: 'UTC' });
    expect(fromOnly.runs + toOnly.runs).toBe(all.runs);
    expect(typeof all.tokensIn).toBe('number');
    // A deleted run does not count.
    const gone = await run({ startedAt: '2025-02-15T00:00:00Z', tokensIn: 1000 });
    await t.db.query(sql`UPDATE generation_runs SET deleted_at = now() WHERE id = ${gone.id}`);
    expect((await usageTotals(ctx, feb)).tokensIn).toBe(60);
  });

  it('buckets days and months in the user time zone', async () => {
    // 2026-03-31T23:30Z is already April 1st in Berlin (CEST, UTC+2).
    await run({ startedAt: '2026-03-31T23:30:00Z', tokensIn: 7, tokensOut: 1 });
    await run({ startedAt: '2026-03-31T21:59:59Z', tokensIn: 3, tokensOut: 1 }); // 23:59:59 in Berlin: still March 31
    await run({ startedAt: '2026-04-01T22:00:00Z', tokensIn: 5, tokensOut: 1 }); // midnight April 2nd in Berlin
    const range = { from: '2026-03-30T00:00:00Z', to: '2026-04-03T00:00:00Z' };

    const utcDays = await usageDaily(ctx, { ...range, timeZone: 'UTC' });
    expect(utcDays.map((d) => [d.period, d.runs, d.tokensIn])).toEqual([
      ['2026-03-31', 2, 10],
      ['2026-04-01', 1, 5],
    ]);
    const berlinDays = await usageDaily(ctx, { ...range, timeZone: 'Europe/Berlin' });
    expect(berlinDays.map((d) => [d.period, d.runs, d.tokensIn])).toEqual([
      ['2026-03-31', 1, 3],
      ['2026-04-01', 1, 7],
      ['2026-04-02', 1, 5],
    ]);
    expect(berlinDays[0]).toEqual({
      period: '2026-03-31',
      runs: 1,
      succeeded: 1,
      failed: 0,
      cancelled: 0,
      tokensIn: 3,
      tokensOut: 1,
    });

    const utcMonths = await usageMonthly(ctx, { ...range, timeZone: 'UTC' });
    expect(utcMonths.map((m) => [m.period, m.runs, m.tokensIn])).toEqual([
      ['2026-03', 2, 10],
      ['2026-04', 1, 5],
    ]);
    const berlinMonths = await usageMonthly(ctx, { ...range, timeZone: 'Europe/Berlin' });
    expect(berlinMonths.map((m) => [m.period, m.runs, m.tokensIn])).toEqual([
      ['2026-03', 1, 3],
      ['2026-04', 2, 12],
    ]);
    // West of UTC the edge goes the other way: 2026-05-01T03:00Z is still April 30th in New York.
    await run({ startedAt: '2026-05-01T03:00:00Z', tokensIn: 9 });
    const ny = await usageMonthly(ctx, {
      from: '2026-04-15T00:00:00Z',
      to: '2026-05-15T00:00:00Z',
      timeZone: 'America/New_York',
    });
    expect(ny.map((m) => [m.period, m.tokensIn])).toEqual([['2026-04', 9]]);
    const nyUtc = await usageMonthly(ctx, {
      from: '2026-04-15T00:00:00Z',
      to: '2026-05-15T00:00:00Z',
      timeZone: 'UTC',
    });
    expect(nyUtc.map((m) => [m.period, m.tokensIn])).toEqual([['2026-05', 9]]);
    // Half-hour offsets.
    const kolkata = await usageDaily(ctx, {
      from: '2026-03-31T18:00:00Z',
      to: '2026-03-31T19:00:00Z',
      timeZone: 'Asia/Kolkata',
    });
    expect(kolkata).toEqual([]);
    await run({ startedAt: '2026-03-31T18:29:59Z', tokensIn: 1 }); // 23:59:59 IST
    await run({ startedAt: '2026-03-31T18:30:00Z', tokensIn: 2 }); // 00:00:00 IST next day
    const ist = await usageDaily(ctx, {
      from: '2026-03-31T18:00:00Z',
      to: '2026-03-31T19:00:00Z',
      timeZone: 'Asia/Kolkata',
    });
    expect(ist.map((d) => [d.period, d.tokensIn])).toEqual([
      ['2026-03-31', 1],
      ['2026-04-01', 2],
    ]);
  });

  it('refuses an unknown time zone with invalid_input', async () => {
    for (const timeZone of ['Mars/Olympus_Mons', 'Not/A_Zone']) {
      const err = await usageDaily(ctx, { timeZone }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfabError);
      expect((err as ConfabError).code).toBe('invalid_input');
    }
  });

  it('breaks usage down by model and by session, biggest first', async () => {
    const s1 = await createSession(ctx, { title: 'Big chat' });
    const s2 = await createSession(ctx, { title: 'Small chat' });
    const s3 = await createSession(ctx, { title: 'Medium chat' });
    const at = '2027-06-15T12:00:00Z';
    await run({
      startedAt: at,
      sessionId: s1.id,
      providerId: 'openai',
      model: 'gpt-a',
      tokensIn: 1000,
      tokensOut: 500,
    });
    await run({
      startedAt: at,
      sessionId: s1.id,
      providerId: 'openai',
      model: 'gpt-b',
      tokensIn: 100,
      tokensOut: 50,
      status: 'failed',
    });
    await run({
      startedAt: at,
      sessionId: s2.id,
      providerId: 'anthropic',
      model: 'claude-x',
      tokensIn: 10,
      tokensOut: 5,
    });
    await run({
      startedAt: at,
      sessionId: s3.id,
      providerId: 'anthropic',
      model: 'claude-x',
      tokensIn: 300,
      tokensOut: 0,
    });
    await run({ startedAt: at, sessionId: null, providerId: 'local', model: 'llama', tokensIn: 1, tokensOut: 1 });
    // Same model name from two providers stays two rows.
    await run({ startedAt: at, sessionId: null, providerId: 'azure', model: 'gpt-a', tokensIn: 2, tokensOut: 2 });
    await run({
      startedAt: '2027-07-15T12:00:00Z',
      sessionId: s2.id,
      providerId: 'anthropic',
      model: 'claude-x',
      tokensIn: 99999,
    }); // out of range
    const range = { from: '2027-06-01T00:00:00Z', to: '2027-07-01T00:00:00Z', timeZone: 'UTC' };

    const models = await usageByModel(ctx, range);
    expect(models.map((m) => [m.providerId, m.model, m.runs, m.tokensIn, m.tokensOut])).toEqual([
      ['openai', 'gpt-a', 1, 1000, 500],
      ['anthropic', 'claude-x', 2, 310, 5],
      ['openai', 'gpt-b', 1, 100, 50],
      ['azure', 'gpt-a', 1, 2, 2],
      ['local', 'llama', 1, 1, 1],
    ]);
    expect(models.find((m) => m.model === 'gpt-b')?.failed).toBe(1);

    const bySession = await usageBySession(ctx, { ...range, limit: 10 });
    expect(bySession.map((s) => [s.sessionId, s.title, s.runs, s.tokensIn + s.tokensOut])).toEqual([
      [s1.id, 'Big chat', 2, 1650],
      [s3.id, 'Medium chat', 1, 300],
      [s2.id, 'Small chat', 1, 15],
    ]);
    expect((await usageBySession(ctx, { ...range, limit: 2 })).map((s) => s.sessionId)).toEqual([s1.id, s3.id]);
  });
});
