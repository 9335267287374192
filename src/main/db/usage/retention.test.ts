/**
 * The retention job on both engines: what it removes, what it must never touch (messages,
 * sessions other than archiving them), batching, and the log line it leaves. Then its schedule.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { uuidv7 } from '@shared/ids';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import type { RepoContext } from '../context';
import { appendMessage } from '../messages/repository';
import { createSession, getSession, setPinned, trashSession } from '../sessions/repository';
import { recordRun } from './runs';
import { setUsageSettings } from './settings';
import { DAY_MS, runRetention, scheduleRetention } from './retention';
import { sql } from '../sql';

const NOW = Date.parse('2030-06-30T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW - d * DAY_MS).toISOString();

describe.each(ENGINES)('retention on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  const log = (ageDays: number, source = 'test') =>
    t.db.query(sql`INSERT INTO app_logs (id, owner_id, level, source, message, created_at)
                   VALUES (${uuidv7()}, ${ctx.ownerId}, 'info', ${source}, 'x', ${daysAgo(ageDays)}::timestamptz)`);
  const count = async (query: ReturnType<typeof sql>) => (await t.db.query<{ n: number }>(query))[0]!.n;
  const logs = () => count(sql`SELECT count(*)::int AS n FROM app_logs WHERE source = 'test'`);
  const messages = () => count(sql`SELECT count(*)::int AS n FROM messages`);

  it('deletes old app logs in batches and logs what it removed', async () => {
    for (const age of [31, 40, 45, 60, 90]) await log(age);
    for (const age of [0, 10, 29]) await log(age);
    const batches: number[] = [];
    const report = await runRetention(ctx, {
      now: NOW,
      batchSize: 2,
      exclusive: async (fn) => {
        batches.push(batches.length);
        return fn();
      },
    });
    expect(report).toMatchObject({ logsDeleted: 5, toolExecutionsDeleted: 0, runDetailsCleared: 0, archivedSessionIds: [] });
    // 5 rows at 2 a batch: 2 + 2 + 1; plus reading the settings and writing the log line.
    expect(report.batches).toBe(3);
    expect(batches).toHaveLength(5);
    expect(await logs()).toBe(3);
    const written = await t.db.query<{ level: string; details: Record<string, unknown> }>(
      sql`SELECT level, details FROM app_logs WHERE source = 'retention'`,
    );
    expect(written).toHaveLength(1);
    expect(written[0]!.details).toMatchObject({ logsDeleted: 5, toolExecutionsDeleted: 0, runDetailsCleared: 0, sessionsArchived: 0 });

    // Nothing left to do: nothing removed, no new log line.
    expect(await runRetention(ctx, { now: NOW })).toMatchObject({ logsDeleted: 0, batches: 1 });
    expect(await count(sql`SELECT count(*)::int AS n FROM app_logs WHERE source = 'retention'`)).toBe(1);
  });

  it('keeps run details and chats by default, then prunes details and archives idle chats when set', async () => {
    const old = await createSession(ctx, { title: 'old' });
    const recent = await createSession(ctx, { title: 'recent' });
    const pinned = await createSession(ctx, { title: 'pinned' });
    const trashed = await createSession(ctx, { title: 'trashed' });
    for (const s of [old, recent, pinned, trashed]) await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'hi' });
    await setPinned(ctx, pinned.id, true);
    await trashSession(ctx, trashed.id);
    await t.db.query(sql`UPDATE chat_sessions SET last_activity_at = ${daysAgo(100)}::timestamptz
                          WHERE id IN (${old.id}, ${pinned.id}, ${trashed.id})`);
    await t.db.query(sql`UPDATE chat_sessions SET last_activity_at = ${daysAgo(5)}::timestamptz WHERE id = ${recent.id}`);

    const oldRun = await recordRun(ctx, { sessionId: old.id, providerId: 'p', model: 'm', status: 'failed', tokensIn: 40, errorCode: 'x', errorMessage: 'secret prompt text', startedAt: daysAgo(50) });
    const newRun = await recordRun(ctx, { sessionId: recent.id, providerId: 'p', model: 'm', status: 'failed', errorCode: 'x', errorMessage: 'keep me', startedAt: daysAgo(1) });
    for (const [run, age] of [[oldRun, 50], [oldRun, 49], [newRun, 1]] as const) {
      await t.db.query(sql`INSERT INTO tool_executions (id, owner_id, run_id, tool_name, input, started_at)
                           VALUES (${uuidv7()}, ${ctx.ownerId}, ${run.id}, 'search', '{"q":"private"}', ${daysAgo(age)}::timestamptz)`);
    }
    const messagesBefore = await messages();
    const tokensBefore = await count(sql`SELECT sum(tokens_in)::int AS n FROM generation_runs`);

    expect(await runRetention(ctx, { now: NOW })).toMatchObject({ toolExecutionsDeleted: 0, runDetailsCleared: 0, archivedSessionIds: [] });
    expect((await getSession(ctx, old.id)).status).toBe('active');

    await setUsageSettings(ctx, { runDetailRetentionDays: 30, autoArchiveDays: 30 });
    const report = await runRetention(ctx, { now: NOW, batchSize: 1 });
    expect(report).toMatchObject({ toolExecutionsDeleted: 2, runDetailsCleared: 1, archivedSessionIds: [old.id] });

    const runs = await t.db.query<{ id: string; error_message: string | null; error_code: string | null; tokens_in: number }>(
      sql`SELECT id, error_message, error_code, tokens_in FROM generation_runs WHERE id IN (${oldRun.id}, ${newRun.id})`,
    );
    const byId = Object.fromEntries(runs.map((r) => [r.id, r]));
    // The old run keeps what usage counts (code, tokens); its text is gone.
    expect(byId[oldRun.id]).toMatchObject({ error_message: null, error_code: 'x', tokens_in: 40 });
    expect(byId[newRun.id]).toMatchObject({ error_message: 'keep me' });
    expect(await count(sql`SELECT count(*)::int AS n FROM tool_executions`)).toBe(1);
    expect(await count(sql`SELECT sum(tokens_in)::int AS n FROM generation_runs`)).toBe(tokensBefore);

    expect((await getSession(ctx, old.id)).status).toBe('archived');
    expect((await getSession(ctx, recent.id)).status).toBe('active');
    expect((await getSession(ctx, pinned.id)).status).toBe('active');
    const trashedNow = await getSession(ctx, trashed.id);
    expect([trashedNow.status, trashedNow.deletedAt !== null]).toEqual(['active', true]);
    // Never a message, never a session removed.
    expect(await messages()).toBe(messagesBefore);
    expect(await count(sql`SELECT count(*)::int AS n FROM chat_sessions WHERE id IN (${old.id}, ${recent.id}, ${pinned.id}, ${trashed.id})`)).toBe(4);

    const lastLog = await t.db.query<{ details: Record<string, unknown> }>(
      sql`SELECT details FROM app_logs WHERE source = 'retention' ORDER BY created_at DESC, id DESC LIMIT 1`,
    );
    expect(lastLog[0]!.details).toMatchObject({ toolExecutionsDeleted: 2, runDetailsCleared: 1, sessionsArchived: 1 });
    await setUsageSettings(ctx, { runDetailRetentionDays: null, autoArchiveDays: null });
  });
});

describe('retention schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs after the start delay, then on every interval, never twice at once, and stops', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let release: (() => void) | null = null;
    const job = () => {
      calls++;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const schedule = scheduleRetention(job, { firstDelayMs: 1000, intervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(1);
    // Still running when the interval fires: skipped.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
    release!();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(2);
    release!();
    schedule.stop();
    await vi.advanceTimersByTimeAsync(50_000);
    expect(calls).toBe(2);
  });

  it('keeps going after a failed run', async () => {
    vi.useFakeTimers();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    let calls = 0;
    const schedule = scheduleRetention(
      async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
      },
      { firstDelayMs: 0, intervalMs: 100 },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    expect(error).toHaveBeenCalledOnce();
    schedule.stop();
    error.mockRestore();
  });
});
