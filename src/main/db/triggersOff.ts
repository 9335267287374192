/**
 * Runs bulk work in the caller's transaction with the tables' ordinary triggers and foreign-key
 * checks off (session_replication_role = replica, which needs a superuser: the device's PGlite
 * is one). The caller owes whatever those triggers would have done, and says how it is done
 * instead: identity adoption (sync/local.ts) and the import writer (import/writer.ts).
 *
 * The role is put back only after the work succeeds: on an error the transaction is aborted, and
 * set_config(..., true) ends with it anyway.
 */
import type { Db } from './database';
import { sql } from './sql';

export async function withTriggersOff<T>(tx: Db, work: () => Promise<T>): Promise<T> {
  const [role] = await tx.query<{ was: string }>(sql`SELECT current_setting('session_replication_role') AS was`);
  await tx.query(sql`SELECT set_config('session_replication_role', 'replica', true)`);
  const result = await work();
  await tx.query(sql`SELECT set_config('session_replication_role', ${role!.was}, true)`);
  return result;
}

/** Whether this connection may turn triggers off (see withTriggersOff). */
export async function mayTurnTriggersOff(tx: Db): Promise<boolean> {
  const [row] = await tx.query<{ su: boolean }>(sql`SELECT current_setting('is_superuser') = 'on' AS su`);
  return row?.su === true;
}
