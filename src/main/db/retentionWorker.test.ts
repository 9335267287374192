/**
 * The retention job as the app runs it: inside the DB worker, started on its own, its batches
 * taking turns with the app's calls, and telling main which chats it archived.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../../tests/helpers/engines';
import { startDbWorker, type DbClient } from './client';
import { pgliteDb } from './database';
import { openPglite, PGDATA } from './open';
import type { WorkerNotice } from './protocol';
import { DAY_MS } from './retention';
import { sql } from './sql';

const WORKER = resolve(import.meta.dirname, '../../../tests/helpers/db-worker-ts.mjs');
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
    // Back-date one chat and write 20 batches' worth of old logs, as months of use would leave.
    const pg = await openPglite(join(dataDir, PGDATA));
    const db = pgliteDb(pg);
    const old = new Date(Date.now() - 90 * DAY_MS).toISOString();
    await db.query(sql`UPDATE chat_sessions SET last_activity_at = ${old}::timestamptz WHERE id = ${idle.id}`);
    await db.query(sql`
      INSERT INTO app_logs (id, owner_id, level, source, message, created_at)
      SELECT gen_random_uuid(), u.id, 'info', 'test', 'old', ${old}::timestamptz FROM users u, generate_series(1, 20000)`);
    await pg.close();

    const client = await start({ firstDelayMs: 0, intervalMs: DAY_MS });
    const notice = new Promise<WorkerNotice>((resolve) => client.onNotice(resolve));
    let answeredBeforeNotice = false;
    const pinged = client.call('maintenance.ping', undefined).then((ok) => {
      answeredBeforeNotice = true;
      return ok;
    });
    const got = await notice;
    expect(await pinged).toBe(true);
    // The call did not wait for 20 batches: it ran between two of them.
    expect(answeredBeforeNotice).toBe(true);
    expect(got).toEqual({ kind: 'sessions.changed', ids: [idle.id] });

    expect((await client.call('sessions.get', { id: idle.id })).status).toBe('archived');
    expect((await client.call('sessions.get', { id: busy.id })).status).toBe('active');
  });
});
