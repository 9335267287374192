/**
 * Migration 0004 (size limits in the database, the same numbers as src/shared/limits.ts) on every
 * engine the SQL must run on, and the sentence a refused write becomes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { MESSAGE_MAX_CHARS, SYSTEM_PROMPT_MAX_CHARS } from '../../src/shared/limits';
import type { Db } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import { describeDbError } from '../../src/main/db/pgErrors';
import { createSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import { MIGRATIONS_DIR, openTestDb } from '../helpers/engines';
import { openMigratedServerDb, testServers } from '../helpers/servers';

interface Engine {
  name: string;
  open(): Promise<{ db: Db; ownerId: string; close(): Promise<void> }>;
  url?: string;
}

const engines: Engine[] = [
  { name: 'PGlite', open: () => openTestDb('pglite') },
  ...(await testServers()).map((server) => ({ ...server, open: () => openMigratedServerDb(server.url) })),
];

async function failure(promise: Promise<unknown>): Promise<unknown> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the statement to fail').not.toBeNull();
  return err;
}

const insertMessage = (db: Db, ownerId: string, sessionId: string, content: string) =>
  db.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content)
               VALUES (${uuidv7()}, ${ownerId}, ${sessionId}, 'user', ${content})`);

describe.each(engines)('migration 0004 on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
  });
  afterAll(async () => {
    await close?.();
  });

  it('takes a message of exactly the limit and refuses one character more, with a sentence naming it', async () => {
    const session = await createSession({ db, ownerId }, { title: 'Limits' });
    await insertMessage(db, ownerId, session.id, 'x'.repeat(MESSAGE_MAX_CHARS));
    const err = await failure(insertMessage(db, ownerId, session.id, 'x'.repeat(MESSAGE_MAX_CHARS + 1)));
    expect((err as { code?: unknown }).code).toBe('23514');
    expect(describeDbError(err)).toEqual({
      code: 'invalid_input',
      message: 'A message can be at most 5,000,000 characters. Nothing was saved.',
    });
  });

  it('counts characters, not bytes: a message of the limit in three-byte CJK is stored', async () => {
    const session = await createSession({ db, ownerId }, { title: 'CJK' });
    await insertMessage(db, ownerId, session.id, '漢'.repeat(MESSAGE_MAX_CHARS));
    const rows = await db.query<{ n: number }>(
      sql`SELECT char_length(content) AS n FROM messages WHERE session_id = ${session.id}`,
    );
    expect(rows).toEqual([{ n: MESSAGE_MAX_CHARS }]);
  });

  it('limits the system prompt the same way', async () => {
    const session = await createSession({ db, ownerId }, { title: 'Prompt' });
    const err = await failure(
      db.query(sql`UPDATE chat_sessions SET system_prompt = ${'p'.repeat(SYSTEM_PROMPT_MAX_CHARS + 1)} WHERE id = ${session.id}`),
    );
    expect(describeDbError(err).message).toBe('A system prompt can be at most 100,000 characters. Nothing was saved.');
  });
});

describe.each(engines.filter((e) => e.url))('upgrading a 0003 database to 0004 on $name', (engine) => {
  it('keeps rows written before the limit existed, and checks every row written after', async () => {
    const all = loadMigrations(MIGRATIONS_DIR);
    const v3 = await openMigratedServerDb(engine.url!, all.filter((m) => m.version <= 3));
    try {
      const session = await createSession({ db: v3.db, ownerId: v3.ownerId }, { title: 'Before' });
      await insertMessage(v3.db, v3.ownerId, session.id, 'y'.repeat(MESSAGE_MAX_CHARS + 10));
      await migrate(v3.db, all);
      const rows = await v3.db.query<{ n: number }>(sql`SELECT char_length(content) AS n FROM messages`);
      expect(rows).toEqual([{ n: MESSAGE_MAX_CHARS + 10 }]);
      await failure(insertMessage(v3.db, v3.ownerId, session.id, 'z'.repeat(MESSAGE_MAX_CHARS + 1)));
    } finally {
      await v3.close();
    }
  });
});
