/**
 * The dashboard's aggregations on known data, on PGlite and on a real PostgreSQL: days cut at
 * the user's midnight (east, west and half-hour zones, DST, month ends), every figure checked
 * against the same runs summed by hand, and answers that stay exact at any range edge because
 * the rollups and the raw runs at the ends are stitched together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import {
  dayRangeInstants,
  failedRuns,
  monthInstants,
  sessionUsage,
  usageDays,
  usageLatency,
  usageModels,
  usageProviders,
  usageSummary,
  usageTopSessions,
} from './analytics';
import type { RepoContext } from '../context';
import { usageDashboard } from './dashboard';
import { setPrice } from './prices';
import { createSession, purgeSession, trashSession } from '../sessions/repository';
import { recordRun, type RecordRunInput } from './runs';
import { setUsageSettings } from './settings';
import { exportUsageCsv } from './export';

describe.each(ENGINES)('usage analytics on %s', (engine) => {
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
    recordRun(ctx, { providerId: 'openai', model: 'gpt-4o', status: 'succeeded', tokensIn: 0, tokensOut: 0, ...input });
  const at = (from: string, to: string) => ({ from, to });

  it('cuts a range of days at midnight in the user zone, DST included', async () => {
    expect(
      await dayRangeInstants(ctx, { fromDay: '2026-03-29', toDay: '2026-03-29', timeZone: 'Europe/Berlin' }),
    ).toEqual({
      // The day clocks go forward in Berlin has 23 hours.
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
    });
    expect(
      await dayRangeInstants(ctx, { fromDay: '2026-02-28', toDay: '2026-02-28', timeZone: 'Asia/Kolkata' }),
    ).toEqual({
      from: '2026-02-27T18:30:00.000Z',
      to: '2026-02-28T18:30:00.000Z',
    });
    const err = await dayRangeInstants(ctx, {
      fromDay: '2026-01-01',
      toDay: '2026-01-01',
      timeZone: 'Mars/Base',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error); // raw; withInputErrors (below) makes it invalid_input
  });

  it('counts tokens and requests per local day, with empty days as zeros, around midnight and month ends', async () => {
    // All in 2031, a year no other test uses.
    await run({ startedAt: '2031-01-30T22:59:59Z', tokensIn: 1, tokensOut: 10 }); // 23:59:59 Jan 30 in Berlin
    await run({ startedAt: '2031-01-30T23:00:00Z', tokensIn: 2, tokensOut: 20 }); // 00:00 Jan 31 in Berlin
    await run({ startedAt: '2031-01-31T22:59:59Z', tokensIn: 4, tokensOut: 40, status: 'failed' }); // last second of January in Berlin
    await run({ startedAt: '2031-01-31T23:00:00Z', tokensIn: 8, tokensOut: 80, status: 'cancelled' }); // Feb 1 in Berlin, still Jan 31 UTC
    await run({ startedAt: '2031-02-02T12:00:00Z', tokensIn: 16, tokensOut: 160 });

    const berlin = await dayRangeInstants(ctx, {
      fromDay: '2031-01-30',
      toDay: '2031-02-02',
      timeZone: 'Europe/Berlin',
    });
    const days = await usageDays(ctx, berlin, 'Europe/Berlin');
    expect(days.map((d) => [d.day, d.runs, d.tokensIn, d.tokensOut])).toEqual([
      ['2031-01-30', 1, 1, 10],
      ['2031-01-31', 2, 6, 60],
      ['2031-02-01', 1, 8, 80],
      ['2031-02-02', 1, 16, 160],
    ]);
    expect(days[1]).toMatchObject({ succeeded: 1, failed: 1, cancelled: 0 });

    const utc = await dayRangeInstants(ctx, { fromDay: '2031-01-30', toDay: '2031-02-02', timeZone: 'UTC' });
    expect((await usageDays(ctx, utc, 'UTC')).map((d) => [d.day, d.tokensIn])).toEqual([
      ['2031-01-30', 3],
      ['2031-01-31', 12],
      ['2031-02-01', 0],
      ['2031-02-02', 16],
    ]);
    // West of UTC: 2031-02-01T03:00Z is still January 31st in New York.
    await run({ startedAt: '2031-02-01T03:00:00Z', tokensIn: 32 });
    const ny = await dayRangeInstants(ctx, {
      fromDay: '2031-01-31',
      toDay: '2031-02-01',
      timeZone: 'America/New_York',
    });
    expect((await usageDays(ctx, ny, 'America/New_York')).map((d) => [d.day, d.tokensIn])).toEqual([
      ['2031-01-31', 4 + 8 + 32],
      ['2031-02-01', 0],
    ]);
  });

  it('is exact for half-hour zones and for ranges that start or end inside a rollup bucket', async () => {
    await run({ startedAt: '2032-03-31T18:29:59Z', tokensIn: 1 }); // 23:59:59 IST
    await run({ startedAt: '2032-03-31T18:30:00Z', tokensIn: 2 }); // 00:00 IST, April 1st
    await run({ startedAt: '2032-03-31T18:37:00Z', tokensIn: 4 }); // mid-quarter
    const ist = await dayRangeInstants(ctx, { fromDay: '2032-03-31', toDay: '2032-04-01', timeZone: 'Asia/Kolkata' });
    expect((await usageDays(ctx, ist, 'Asia/Kolkata')).map((d) => [d.day, d.tokensIn])).toEqual([
      ['2032-03-31', 1],
      ['2032-04-01', 6],
    ]);
    // Arbitrary instants, inside UTC days and quarter hours, on every aggregation.
    const odd = at('2032-03-31T18:29:30Z', '2032-03-31T18:37:00Z');
    expect((await usageSummary(ctx, odd)).tokensIn).toBe(3);
    expect((await usageDays(ctx, odd, 'UTC')).map((d) => [d.day, d.tokensIn])).toEqual([['2032-03-31', 3]]);
    expect((await usageModels(ctx, odd)).map((m) => m.tokensIn)).toEqual([3]);
  });

  it('sums by model and provider with estimated cost, and never counts a model with no price as free', async () => {
    const range = at('2033-05-01T00:00:00Z', '2033-06-01T00:00:00Z');
    // gpt-4o: $2.50 in, $10 out per 1M. Dated and vendor-prefixed names share its price.
    await run({
      startedAt: '2033-05-02T10:00:00Z',
      model: 'gpt-4o-2024-08-06',
      tokensIn: 1_000_000,
      tokensOut: 100_000,
    });
    await run({
      startedAt: '2033-05-03T10:00:00Z',
      providerId: 'openrouter',
      model: 'openai/gpt-4o',
      tokensIn: 400_000,
      tokensOut: 0,
    });
    await run({
      startedAt: '2033-05-03T11:00:00Z',
      providerId: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      tokensIn: 200_000,
      tokensOut: 20_000,
    });
    await run({
      startedAt: '2033-05-04T11:00:00Z',
      providerId: 'ollama',
      model: 'llama3.1:8b',
      tokensIn: 5000,
      tokensOut: 700,
      status: 'failed',
    });
    await run({
      startedAt: '2033-05-04T12:00:00Z',
      providerId: 'ollama',
      model: 'llama3.1:8b',
      tokensIn: 300,
      tokensOut: 0,
      status: 'interrupted',
    });

    const models = await usageModels(ctx, range);
    expect(models.map((m) => [m.providerId, m.model, m.runs, m.tokensIn, m.tokensOut, m.costUsd])).toEqual([
      ['openai', 'gpt-4o-2024-08-06', 1, 1_000_000, 100_000, 3.5],
      ['openrouter', 'openai/gpt-4o', 1, 400_000, 0, 1],
      ['anthropic', 'claude-sonnet-4-5-20250929', 1, 200_000, 20_000, 0.9],
      ['ollama', 'llama3.1:8b', 2, 5300, 700, null],
    ]);
    expect(models[3]).toMatchObject({ failed: 1, interrupted: 1, unpricedRuns: 2, unpricedTokens: 6000 });

    const providers = await usageProviders(ctx, range);
    expect(providers.map((p) => [p.providerId, p.runs, p.costUsd, p.unpricedTokens])).toEqual([
      ['openai', 1, 3.5, 0],
      ['openrouter', 1, 1, 0],
      ['anthropic', 1, 0.9, 0],
      ['ollama', 2, null, 6000],
    ]);
    expect(await usageSummary(ctx, range)).toEqual({
      runs: 5,
      succeeded: 3,
      failed: 1,
      cancelled: 0,
      interrupted: 1,
      tokensIn: 1_605_300,
      tokensOut: 120_700,
      costUsd: 5.4,
      unpricedRuns: 2,
      unpricedTokens: 6000,
    });
    // A price for the local model makes it count; an edited price changes the estimate.
    await setPrice(ctx, { model: 'llama3.1:8b', inputPerMTok: 0, outputPerMTok: 0 });
    await setPrice(ctx, { model: 'GPT-4o', inputPerMTok: 5, outputPerMTok: 10 });
    expect(await usageSummary(ctx, range)).toMatchObject({ costUsd: 6 + 2 + 0.9, unpricedRuns: 0, unpricedTokens: 0 });
    // Nothing priced at all: the cost is unknown (null), not $0.
    const nothingPriced = at('2033-05-04T00:00:00Z', '2033-05-05T00:00:00Z');
    await t.db.query(sql`DELETE FROM model_prices WHERE model = 'llama3.1:8b'`);
    expect(await usageSummary(ctx, nothingPriced)).toMatchObject({ costUsd: null, unpricedRuns: 2 });
    await setPrice(ctx, { model: 'gpt-4o', inputPerMTok: 2.5, outputPerMTok: 10 });
  });

  it('keeps the rollups exact through updates, upserts, soft deletes, hard deletes and purged sessions', async () => {
    const range = at('2034-01-01T00:00:00Z', '2035-01-01T00:00:00Z');
    const s = await createSession(ctx, { title: 'rollup' });
    const a = await run({ startedAt: '2034-02-01T10:00:00Z', sessionId: s.id, status: 'running' });
    await run({ id: a.id, startedAt: a.startedAt, sessionId: s.id, status: 'succeeded', tokensIn: 100, tokensOut: 50 });
    const b = await run({ startedAt: '2034-02-02T10:00:00Z', sessionId: s.id, tokensIn: 7, tokensOut: 3 });
    const c = await run({ startedAt: '2034-02-03T10:00:00Z', sessionId: s.id, tokensIn: 1000, tokensOut: 1000 });
    await t.db.query(sql`UPDATE generation_runs SET deleted_at = now() WHERE id = ${b.id}`);
    await t.db.query(sql`DELETE FROM generation_runs WHERE id = ${c.id}`);
    // A change that does not count (error text) leaves the rollups alone.
    await t.db.query(sql`UPDATE generation_runs SET error_message = 'x' WHERE id = ${a.id}`);

    const raw = await t.db.query<{ runs: number; tin: number }>(sql`
      SELECT count(*)::int AS runs, coalesce(sum(tokens_in), 0)::int AS tin FROM generation_runs
       WHERE deleted_at IS NULL AND started_at >= ${range.from}::timestamptz AND started_at < ${range.to}::timestamptz`);
    expect(await usageSummary(ctx, range)).toMatchObject({ runs: raw[0]!.runs, tokensIn: raw[0]!.tin, succeeded: 1 });
    expect(raw[0]).toEqual({ runs: 1, tin: 100 });
    expect(
      (await usageDays(ctx, at('2034-02-01T00:00:00Z', '2034-02-04T00:00:00Z'), 'UTC')).map((d) => d.runs),
    ).toEqual([1, 0, 0]);
    expect((await usageTopSessions(ctx, range, 5)).map((x) => [x.sessionId, x.runs, x.tokensIn])).toEqual([
      [s.id, 1, 100],
    ]);

    // Purging the session keeps the run (session_id set null) and drops it from the session rollup.
    await trashSession(ctx, s.id);
    expect((await usageTopSessions(ctx, range, 5))[0]).toMatchObject({ sessionId: s.id, inTrash: true });
    await purgeSession(ctx, s.id);
    expect(await usageTopSessions(ctx, range, 5)).toEqual([]);
    expect((await usageSummary(ctx, range)).runs).toBe(1);
  });

  it('ranks top sessions by tokens with their cost, and reports one session over its whole life', async () => {
    const range = at('2035-03-01T00:00:00Z', '2035-04-01T00:00:00Z');
    const big = await createSession(ctx, { title: 'Big' });
    const small = await createSession(ctx, { title: 'Small' });
    await run({ startedAt: '2035-03-01T00:00:00Z', sessionId: big.id, tokensIn: 1_000_000, tokensOut: 0 }); // $2.50
    await run({
      startedAt: '2035-03-31T23:59:59Z',
      sessionId: big.id,
      providerId: 'ollama',
      model: 'qwen2.5:14b',
      tokensIn: 500,
      tokensOut: 500,
    });
    await run({ startedAt: '2035-03-15T12:00:00Z', sessionId: small.id, tokensIn: 10, tokensOut: 10 });
    await run({ startedAt: '2035-04-01T00:00:00Z', sessionId: small.id, tokensIn: 9_000_000 }); // outside
    const top = await usageTopSessions(ctx, range, 10);
    expect(top).toEqual([
      {
        sessionId: big.id,
        title: 'Big',
        inTrash: false,
        runs: 2,
        tokensIn: 1_000_500,
        tokensOut: 500,
        costUsd: 2.5,
        unpricedTokens: 1000,
      },
      {
        sessionId: small.id,
        title: 'Small',
        inTrash: false,
        runs: 1,
        tokensIn: 10,
        tokensOut: 10,
        costUsd: 0.000125,
        unpricedTokens: 0,
      },
    ]);
    expect((await usageTopSessions(ctx, range, 1)).map((x) => x.sessionId)).toEqual([big.id]);

    expect(await sessionUsage(ctx, small.id)).toEqual({
      sessionId: small.id,
      runs: 2,
      succeeded: 2,
      failed: 0,
      tokensIn: 9_000_010,
      tokensOut: 10,
      costUsd: 22.500125,
      unpricedTokens: 0,
      models: ['gpt-4o'],
    });
    expect(await sessionUsage(ctx, big.id)).toMatchObject({
      models: ['gpt-4o', 'qwen2.5:14b'],
      unpricedTokens: 1000,
      costUsd: 2.5,
    });
    const none = await createSession(ctx, { title: 'Quiet' });
    expect(await sessionUsage(ctx, none.id)).toEqual({
      sessionId: none.id,
      runs: 0,
      succeeded: 0,
      failed: 0,
      tokensIn: 0,
      tokensOut: 0,
      costUsd: null,
      unpricedTokens: 0,
      models: [],
    });
  });

  it('computes latency percentiles per model over succeeded runs, newest first', async () => {
    const range = at('2036-01-01T00:00:00Z', '2036-02-01T00:00:00Z');
    for (let i = 1; i <= 10; i++) {
      await run({
        startedAt: `2036-01-${String(i).padStart(2, '0')}T12:00:00Z`,
        model: 'o3',
        ttftMs: i * 100,
        totalMs: i * 1000,
      });
    }
    await run({ startedAt: '2036-01-20T12:00:00Z', model: 'o3', status: 'failed', ttftMs: 99_999, totalMs: 99_999 });
    await run({ startedAt: '2036-01-21T12:00:00Z', model: 'o4-mini', ttftMs: null, totalMs: 500 });
    const rows = await usageLatency(ctx, range);
    // percentile_cont over 100..1000: p50 = 550, p95 = 955.
    expect(rows).toEqual([
      {
        providerId: 'openai',
        providerName: 'OpenAI',
        model: 'o3',
        samples: 10,
        ttftP50Ms: 550,
        ttftP95Ms: 955,
        totalP50Ms: 5500,
        totalP95Ms: 9550,
      },
      {
        providerId: 'openai',
        providerName: 'OpenAI',
        model: 'o4-mini',
        samples: 1,
        ttftP50Ms: null,
        ttftP95Ms: null,
        totalP50Ms: 500,
        totalP95Ms: 500,
      },
    ]);
    // A sample of 4 keeps the newest four (700..1000 ms).
    const sampled = await usageLatency(ctx, range, 4);
    expect(sampled[0]).toMatchObject({ model: 'o3', samples: 4, ttftP50Ms: 850 });
  });

  it('lists failed and interrupted runs newest first, with their chat and message', async () => {
    const s = await createSession(ctx, { title: 'Oops' });
    await run({
      startedAt: '2037-01-01T10:00:00Z',
      sessionId: s.id,
      status: 'failed',
      errorCode: 'rate_limited',
      errorMessage: 'Slow down',
    });
    await run({ startedAt: '2037-01-01T11:00:00Z', status: 'interrupted', errorCode: 'interrupted' });
    await run({ startedAt: '2037-01-01T12:00:00Z', status: 'succeeded' });
    await run({ startedAt: '2036-12-31T09:59:59Z', status: 'failed' }); // outside
    const rows = await failedRuns(ctx, at('2036-12-31T10:00:00Z', '2037-01-01T10:00:00Z'), 10);
    expect(rows).toEqual([]);
    const day = await failedRuns(ctx, at('2036-12-31T12:00:00Z', '2037-01-01T12:00:00Z'), 10);
    expect(day.map((r) => [r.status, r.errorCode, r.sessionTitle])).toEqual([
      ['interrupted', 'interrupted', null],
      ['failed', 'rate_limited', 'Oops'],
    ]);
    expect(day[1]).toMatchObject({
      sessionId: s.id,
      errorMessage: 'Slow down',
      model: 'gpt-4o',
      startedAt: '2037-01-01T10:00:00.000Z',
    });
    expect(await failedRuns(ctx, at('2036-12-31T12:00:00Z', '2037-01-01T12:00:00Z'), 1)).toHaveLength(1);
  });

  it("finds this month in the user's zone at month ends", async () => {
    // 2038-03-01T00:30 in Berlin is still February in UTC.
    expect(await monthInstants(ctx, '2038-02-28T23:30:00Z', 'Europe/Berlin')).toEqual({
      from: '2038-02-28T23:00:00.000Z',
      to: '2038-03-31T22:00:00.000Z',
    });
    expect(await monthInstants(ctx, '2038-02-28T23:30:00Z', 'UTC')).toEqual({
      from: '2038-02-01T00:00:00.000Z',
      to: '2038-03-01T00:00:00.000Z',
    });
    expect(await monthInstants(ctx, '2038-03-01T03:00:00Z', 'America/Los_Angeles')).toEqual({
      from: '2038-02-01T08:00:00.000Z',
      to: '2038-03-01T08:00:00.000Z',
    });
  });

  it('answers the whole dashboard in one call, with the budget of this month', async () => {
    const now = '2039-06-20T12:00:00Z';
    await run({ startedAt: '2039-06-01T00:30:00Z', tokensIn: 700_000, tokensOut: 100_000 }); // $2.75, June in Berlin
    await run({ startedAt: '2039-05-31T21:59:00Z', tokensIn: 5_000_000 }); // May 31st 23:59 in Berlin: last month
    await run({ startedAt: '2039-06-20T08:00:00Z', status: 'failed', errorCode: 'auth', errorMessage: 'Bad key' });
    await setUsageSettings(ctx, { monthlyTokenBudget: 1_000_000, monthlyCostBudgetUsd: 2.5 });
    const d = await usageDashboard(ctx, {
      fromDay: '2039-06-14',
      toDay: '2039-06-20',
      timeZone: 'Europe/Berlin',
      topSessions: 10,
      failedRuns: 50,
      now,
    });
    expect(d.range).toEqual({
      fromDay: '2039-06-14',
      toDay: '2039-06-20',
      timeZone: 'Europe/Berlin',
      from: '2039-06-13T22:00:00.000Z',
      to: '2039-06-20T22:00:00.000Z',
    });
    expect(d.daily).toHaveLength(7);
    expect(d.totals).toMatchObject({ runs: 1, failed: 1 });
    expect(d.failedRuns.map((r) => r.errorCode)).toEqual(['auth']);
    expect(d.budget).toMatchObject({
      monthStart: '2039-05-31T22:00:00.000Z',
      tokensUsed: 800_000,
      costUsedUsd: 2.75,
      tokenShare: 0.8,
      costShare: 1.1,
      level: 'exceeded',
    });
    expect(d.hasAnyRuns).toBe(true);
    await setUsageSettings(ctx, { monthlyTokenBudget: null, monthlyCostBudgetUsd: null });

    const err = await usageDashboard(ctx, {
      fromDay: '2039-06-14',
      toDay: '2039-06-20',
      timeZone: 'Nowhere/Land',
      topSessions: 1,
      failedRuns: 1,
      now,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfabError);
    expect((err as ConfabError).code).toBe('invalid_input');
  });

  it('exports the range as CSV, one line per day and model, safe for spreadsheets', async () => {
    await run({
      startedAt: '2040-01-01T10:00:00Z',
      model: '=HYPERLINK("http://x","y")',
      providerId: 'custom, "quoted"',
      tokensIn: 5,
    });
    await run({ startedAt: '2040-01-01T11:00:00Z', tokensIn: 1_000_000, tokensOut: 0 });
    await run({ startedAt: '2040-01-01T23:30:00Z', tokensIn: 1 }); // Jan 2nd in Berlin
    const { filename, csv } = await exportUsageCsv(ctx, {
      fromDay: '2040-01-01',
      toDay: '2040-01-02',
      timeZone: 'Europe/Berlin',
    });
    expect(filename).toBe('confab-usage-2040-01-01-to-2040-01-02.csv');
    expect(csv.split('\r\n')).toEqual([
      'date,provider,provider_id,model,requests,succeeded,failed,cancelled,interrupted,input_tokens,output_tokens,estimated_cost_usd',
      `2040-01-01,"custom, ""quoted""","custom, ""quoted""","'=HYPERLINK(""http://x"",""y"")",1,1,0,0,0,5,0,`,
      '2040-01-01,OpenAI,openai,gpt-4o,1,1,0,0,0,1000000,0,2.5',
      '2040-01-02,OpenAI,openai,gpt-4o,1,1,0,0,0,1,0,0.000003',
      '',
    ]);
  });
});
