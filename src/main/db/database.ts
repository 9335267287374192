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
  let depth = 0;
  const db: Db = {
    engine: 'postgres',
    async query<T extends Row>(fragment: SqlFragment) {
      const { text, values } = compile(fragment);
      const result = await client.query(text, values);
      return result.rows as T[];
    },
    async exec(script: string) {
      await client.query(script);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>) {
      if (depth > 0) return fn(db);
      depth += 1;
      await client.query('BEGIN');
      try {
        const result = await fn(db);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        depth -= 1;
      }
    },
  };
  return db;
}
