/**
 * `team status`: the server's buffer cache next to the size of the team's database.
 *
 * Measured with the sync bench (`tests/sync/bench/appProfile.ts --messages 100000`, PostgreSQL 18,
 * 2026-12-03): with PostgreSQL's default shared_buffers (128 MB) a push's batches took 170 ms at
 * the start of a 100,000-message push and 220–280 ms by its end, once the data had outgrown the
 * cache and backends wrote evicted pages out themselves; with 2 GB they stayed at 170–190 ms
 * throughout. An admin cannot see that from the app, so the status says it.
 */
import type pg from 'pg';

export interface ServerMemory {
  shared_buffers_bytes: number;
  database_bytes: number;
  /** A sentence when the database has outgrown the buffer cache; null otherwise. */
  advice: string | null;
}

const MiB = 1024 * 1024;

const megabytes = (bytes: number) => `${Math.round(bytes / MiB).toLocaleString('en-US')} MB`;

/** Null while the database fits in shared_buffers; else what to do about it, with both sizes. */
export function memoryAdvice(sharedBuffersBytes: number, databaseBytes: number): string | null {
  if (databaseBytes <= sharedBuffersBytes) return null;
  return (
    `The database (${megabytes(databaseBytes)}) has outgrown PostgreSQL's shared_buffers ` +
    `(${megabytes(sharedBuffersBytes)}), so large pushes slow down as the data grows. ` +
    'Raise shared_buffers (a quarter of the server’s memory is the usual start) and restart PostgreSQL.'
  );
}

export async function serverMemory(client: pg.ClientBase): Promise<ServerMemory> {
  const { rows } = await client.query<{ shared: string; database: string }>(
    `SELECT pg_size_bytes(current_setting('shared_buffers'))::text AS shared,
            pg_database_size(current_database())::text AS database`,
  );
  const shared = Number(rows[0]!.shared);
  const database = Number(rows[0]!.database);
  return { shared_buffers_bytes: shared, database_bytes: database, advice: memoryAdvice(shared, database) };
}
