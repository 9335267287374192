/**
 * Issue 9 item 12 in the real DB worker: PGlite never checkpoints on its own, so without the
 * worker's checkpointer the WAL of a bulk write would stay to be replayed by a crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { MIGRATIONS_DIR } from '../../../../tests/helpers/engines';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus } from '../../../../scripts/lib/corpus';
import { startDbWorker, type DbClient } from '../client';

const WORKER = resolve(import.meta.dirname, '../../../../tests/helpers/db-worker-ts.mjs');
const dir = mkdtempSync(join(tmpdir(), 'confab-checkpoints-'));
let db: DbClient | undefined;

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the DB worker', () => {
  it('checkpoints after bulk writes without being asked, leaving little WAL for a crash to replay', async () => {
    db = await startDbWorker({
      workerPath: WORKER,
      open: { dataDir: join(dir, 'data'), migrationsDir: MIGRATIONS_DIR, templateDir: inject('pgliteTemplateDir') },
      retention: false,
    });
    const plan = planCorpus(
      defaultCorpusOptions({ seed: 47, sessions: 30, messages: 1500, bigSession: 2, specials: false }),
    );
    for (const batch of batchCorpus(generateSessions(plan), 500)) await db.call('bulk.insertCorpus', batch);
    // Several MB of WAL were written (about 9 kB a message with its search indexes); once the
    // writes stop for a few seconds the worker checkpoints them.
    await vi.waitFor(
      async () => {
        const status = await db!.call('durability.walStatus', undefined);
        expect(status.walSinceCheckpointBytes).toBeLessThan(64 * 1024);
      },
      { timeout: 60_000, interval: 200 },
    );
    expect((await db.call('maintenance.checksum', undefined)).messages?.rows).toBe(1500);
  });
});
