/**
 * Jobs through the contract on a real core: progress as events, cancel between batches (what
 * the finished batches did stays), the list of jobs, and slow calls written to app_logs where
 * logs.recent reads them.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { pgliteDb } from '../db/database';
import { openPglite, PGDATA } from '../db/open';
import { sql } from '../db/sql';

const cores: ChatCore[] = [];
afterAll(async () => {
  for (const c of cores) {
    await c.close().catch(() => {});
    removeDataDir(c.dataDir);
  }
});

async function core(options: Parameters<typeof startChatCore>[0] = {}) {
  const c = await startChatCore({ retention: false, ...options });
  cores.push(c);
  return c;
}

describe('jobs', () => {
  it('reports progress, stops at the next batch when cancelled, and keeps what was done', async () => {
    const setup = await core();
    const dataDir = setup.dataDir;
    await setup.close();
    cores.pop();
    const pg = await openPglite(join(dataDir, PGDATA));
    await pgliteDb(pg).query(sql`
      INSERT INTO app_logs (id, owner_id, level, source, message, created_at)
      SELECT gen_random_uuid(), u.id, 'info', 'test', 'old', now() - interval '90 days'
        FROM users u, generate_series(1, 5000)`);
    await pg.close();

    const chat = await core({ dataDir });
    const job = chat.core.db.startJob('retention', { batchSize: 50 });
    const firstProgress = await chat.waitFor('job.progress', (p) => p.id === job.id && p.done >= 100);
    expect(firstProgress).toMatchObject({ kind: 'retention', phase: 'Deleting old app logs', total: null });
    expect(await chat.api.jobs.cancel({ id: job.id })).toEqual({ cancelled: true });
    await expect(job.result).rejects.toMatchObject({ message: 'The job was cancelled.' });
    expect(await chat.waitFor('job.finished', (p) => p.id === job.id)).toEqual({
      id: job.id,
      kind: 'retention',
      status: 'cancelled',
      error: null,
    });
    const listed = (await chat.api.jobs.list({})).find((j) => j.id === job.id);
    expect(listed).toMatchObject({ status: 'cancelled', kind: 'retention' });
    expect(listed!.done).toBeGreaterThanOrEqual(100);
    // Whole batches were deleted, not all of them: cancel stopped it between two.
    const left = (await chat.api.logs.recent({ source: 'test', limit: 1000 })).length;
    expect(left).toBeGreaterThan(0);
    expect(left % 50).toBe(0);
    expect(await chat.api.jobs.cancel({ id: job.id })).toEqual({ cancelled: false });
  });

  it('writes slow calls to app_logs with the method name, where logs.recent finds them', async () => {
    const chat = await core({ slowCallMs: 0 });
    await chat.api.sessions.list({});
    await chat.api.search.query({ q: 'anything' });
    const logs = await chat.api.logs.recent({ source: 'db', minLevel: 'warn', limit: 100 });
    const methods = logs.map((l) => (l.details as { method: string }).method);
    expect(methods).toEqual(expect.arrayContaining(['sessions.list', 'search.query']));
    expect(logs[0]).toMatchObject({ level: 'warn', source: 'db', message: expect.stringMatching(/^Slow database call: /) });
  });
});
