/**
 * The write-ahead log since the last checkpoint. After a crash, PostgreSQL replays every WAL
 * record written since the last checkpoint before it answers a query, so this size is what a
 * reopen after a crash has to redo (see checkpointer.ts for why PGlite lets it grow).
 */
import type { Db } from '../database';
import { sql } from '../sql';

/** Bytes of WAL a crash now would replay: from the last checkpoint's redo point to the end. */
export async function walSinceCheckpoint(db: Db): Promise<number> {
  const rows = await db.query<{ bytes: string | number }>(
    sql`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), (SELECT redo_lsn FROM pg_control_checkpoint()))::bigint AS bytes`,
  );
  return Number(rows[0]?.bytes ?? 0);
}

/** Flushes every changed page and moves the redo point to now: nothing before it is replayed. */
export async function checkpoint(db: Db): Promise<void> {
  await db.exec('CHECKPOINT');
}
