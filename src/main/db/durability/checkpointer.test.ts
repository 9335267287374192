import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { CallQueue } from '../callQueue';
import { sql } from '../sql';
import { WalCheckpointer, type CheckpointDone, type CheckpointPolicy } from './checkpointer';
import { checkpoint, walSinceCheckpoint } from './wal';

const MiB = 1024 * 1024;
let open: TestDb | undefined;
let checkpointer: WalCheckpointer | undefined;

afterEach(async () => {
  checkpointer?.stop();
  await open?.close();
  open = undefined;
});

/** A real PGlite, a queue and a checkpointer wired as the worker wires them. */
async function setUp(policy: Partial<CheckpointPolicy>) {
  open = await openTestDb('pglite');
  const db = open.db;
  await db.exec('CREATE TABLE wal_filler (n int, t text)');
  await checkpoint(db);
  const done: CheckpointDone[] = [];
  const queue = new CallQueue({ onWriteDone: () => checkpointer!.noteWrite() });
  checkpointer = new WalCheckpointer({ db, queue, policy, onCheckpoint: (d) => done.push(d) });
  // About 140 kB of rows (and more of WAL) per call: text that does not compress.
  const write = () =>
    queue.run(() =>
      db.query(sql`INSERT INTO wal_filler SELECT g, md5(random()::text) || md5(random()::text) || md5(random()::text)
                   FROM generate_series(1, 1000) g`),
    );
  const walNow = () => queue.run(() => walSinceCheckpoint(db), { writes: false });
  return { db, queue, done, write, walNow };
}

describe('WalCheckpointer', () => {
  it('checkpoints once the WAL since the last checkpoint passes the bound, so a crash replays little', async () => {
    const { done, write, walNow } = await setUp({ maxWalBytes: MiB, checkEveryMs: 10, idleMs: 600_000 });
    for (let i = 0; i < 40; i++) await write();
    // PGlite alone would keep all of it (there is no checkpointer process): several MiB by now.
    await vi.waitFor(() => expect(done.filter((d) => d.reason === 'wal').length).toBeGreaterThan(0), {
      timeout: 30_000,
    });
    expect(done[0]!.walBytes).toBeGreaterThanOrEqual(MiB);
    // Once the writes stop, the last check leaves less than the bound to replay.
    await vi.waitFor(async () => expect(await walNow()).toBeLessThan(MiB), { timeout: 30_000, interval: 20 });
  });

  it('checkpoints what has accumulated once writes have stopped for a while', async () => {
    const { done, write, walNow } = await setUp({
      maxWalBytes: 1024 * MiB,
      checkEveryMs: 10,
      idleMs: 50,
      idleMinBytes: 64 * 1024,
    });
    await write();
    expect(await walNow()).toBeGreaterThanOrEqual(64 * 1024);
    await vi.waitFor(() => expect(done.map((d) => d.reason)).toEqual(['idle']), { timeout: 30_000 });
    expect(await walNow()).toBeLessThan(64 * 1024);
  });

  it('does nothing after stop, even for a check already queued', async () => {
    const { queue, write, walNow } = await setUp({ maxWalBytes: 1, checkEveryMs: 1, idleMs: 1, idleMinBytes: 1 });
    await write();
    // Hold the queue: the checks that write scheduled come due and wait behind this call.
    let release!: () => void;
    const held = queue.run(() => new Promise<void>((resolve) => (release = resolve)), { writes: false });
    await vi.waitFor(() => expect(queue.waiting).toBe(2), { timeout: 10_000 });
    checkpointer!.stop();
    release();
    await held;
    expect(await walNow()).toBeGreaterThan(0);
    expect(checkpointer!.checkpoints).toBe(0);
  });
});
