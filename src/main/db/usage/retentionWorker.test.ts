/**
 * The retention job as the app runs it: a job inside the DB worker, started on its own, its
 * batches taking turns with the app's calls, its progress reported, and the chats it archived
 * announced through the change feed as 'system' changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../../../tests/helpers/engines';
import { startDbWorker, type DbClient } from '../client';
import { pgliteDb } from '../database';
import { openPglite, PGDATA } from '../open';
import type { ChangeSet, ChangeSource } from '@shared/changes';
import type { JobEvent } from '../client';
import { DAY_MS } from './retention';
import { sql } from '../sql';

const WORKER = resolve(import.meta.dirname, '../../../../tests/helpers/db-worker-ts.mjs');
const dataDir = join(mkdtempSync(join(tmpdir(), 'confab-retention-worker-')), 'data');
const clients: DbClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  rmSync(resolve(dataDir, '..'), { recursive: true, force: true });
});

function start(retention: { firstDelayMs: number; intervalMs: number } | false) {
  return startDbWorker({
    workerPath: WORKER,
    retention,
    open: { dataDir, migrationsDir: MIGRATIONS_DIR, templateDir: inject('pgliteTemplateDir') },
  }).then((c) => (clients.push(c), c));
}

describe('retention in the DB worker', () => {
  it('runs at startup in batches between the app calls, and reports the chats it archived', async () => {
    const setup = await start(false);
    const idle = await setup.call('sessions.create', { title: 'Idle' });
    const busy = await setup.call('sessions.create', { title: 'Busy' });
    await setup.call('usage.setSettings', { autoArchiveDays: 30 });
    await setup.close();
    // Back-date one chat and write 5 batches' worth of old logs, as months of use would leave.
    const pg = await openPglite(join(dataDir, PGDATA));
    const db = pgliteDb(pg);
    const old = new Date(Date.now() - 90 * DAY_MS).toISOString();
    await db.query(sql`UPDATE chat_sessions SET last_activity_at = ${old}::timestamptz WHERE id = ${idle.id}`);
    await db.query(sql`
      INSERT INTO app_logs (id, owner_id, level, source, message, created_at)
      SELECT gen_random_uuid(), u.id, 'info', 'test', 'old', ${old}::timestamptz FROM users u, generate_series(1, 5000)`);
    await pg.close();

    const client = await start({ firstDelayMs: 0, intervalMs: DAY_MS });
    const changes: [ChangeSet, ChangeSource][] = [];
    client.onChanges((set, source) => changes.push([set, source]));
    const jobEvents: JobEvent[] = [];
    const finished = new Promise<JobEvent>((resolve) =>
      client.onJob((event) => {
        jobEvents.push(event);
        if (event.type === 'done') resolve(event);
      }),
    );
    let answeredBeforeEnd = false;
    const pinged = client.call('maintenance.ping', undefined).then((ok) => {
      answeredBeforeEnd = true;
      return ok;
    });
    const end = await finished;
    expect(await pinged).toBe(true);
    // The call did not wait for 5 batches: it ran between two of them.
    expect(answeredBeforeEnd).toBe(true);
    expect(end).toMatchObject({ type: 'done', kind: 'retention', status: 'succeeded' });
    const progress = jobEvents.filter((e) => e.type === 'progress').map((e) => e.progress);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ kind: 'retention', phase: 'Archiving idle chats', done: 5_001 });
    // The archive reached main as a system change to that chat, and nothing else was said of it.
    const systemSessions = changes.filter(([, source]) => source === 'system').flatMap(([set]) => set.sessions);
    expect(systemSessions).toEqual([idle.id]);

    expect((await client.call('sessions.get', { id: idle.id })).status).toBe('archived');
    expect((await client.call('sessions.get', { id: busy.id })).status).toBe('active');
  });
});
