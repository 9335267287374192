/**
 * One small interface over both engines (PGlite in the app, node-postgres for the team server and
 * the tests that run the same repositories against a real PostgreSQL).
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { ClientBase } from 'pg';
import { compile, type SqlFragment } from './sql';

export type Row = Record<string, unknown>;

export interface Db {
  readonly engine: 'pglite' | 'postgres';
  query<T extends Row = Row>(query: SqlFragment): Promise<T[]>;
  /** Runs a script of several statements with no parameters (migrations, DDL). */
  exec(script: string): Promise<void>;
  /** Runs fn in a transaction; nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}

type PgliteLike = Pick<PGlite, 'query' | 'exec' | 'transaction'> | Transaction;

export function pgliteDb(db: PGlite): Db {
  const wrap = (conn: PgliteLike, inTx: boolean): Db => ({
    engine: 'pglite',
    async query<T extends Row>(fragment: SqlFragment) {
      const { text, values } = compile(fragment);
      const result = await conn.query<T>(text, values);
      return result.rows;
    },
    async exec(script: string) {
      await conn.exec(script);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>) {
      if (inTx) return fn(wrap(conn, true));
      return (conn as PGlite).transaction((tx) => fn(wrap(tx, true)));
    },
  });
  return wrap(db, false);
}

export function pgDb(client: ClientBase): Db {
  // One connection runs one thing at a time, as PGlite does: a transaction holds the connection
  // until it ends, and other callers (transactions or single statements) queue behind it. Without
  // this, a second caller's statements would run inside the first caller's transaction and share
  // its fate: committed when it says so, rolled back when the other one fails.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  const query = async <T extends Row>(fragment: SqlFragment): Promise<T[]> => {
    const { text, values } = compile(fragment);
    const result = await client.query(text, values);
    return result.rows as T[];
  };
  const exec = async (script: string): Promise<void> => {
    await client.query(script);
  };
  /** The handle inside a transaction: runs directly; nested transactions join the outer one. */
  const inTx: Db = {
    engine: 'postgres',
    query,
    exec,
    transaction: (fn) => fn(inTx),
  };
  return {
    engine: 'postgres',
    query: (fragment) => exclusive(() => query(fragment)),
    exec: (script) => exclusive(() => exec(script)),
    transaction: <T>(fn: (tx: Db) => Promise<T>) =>
      exclusive(async () => {
        await client.query('BEGIN');
        try {
          const result = await fn(inTx);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }),
  };
}
