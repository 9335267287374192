/**
 * Migration 0008 (the shared half of team sync) on every engine the SQL must run on: an upgrade in
 * place from the 0007 schema with data, HLC stamping of local writes, the device user's view of
 * per-user state, and the registry in SQL equal to the table registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import { createSession } from '../../src/main/db/sessions/repository';
import { TABLES } from '../../src/main/db/schema/tables';
import { sql } from '../../src/main/db/sql';
import { MIGRATIONS_DIR, openTestDb } from '../helpers/engines';
import { openMigratedServerDb, testServers } from '../helpers/servers';

const HLC_RE = /^\d{15}-\d{5}-[0-9a-f]{16}$/;

interface Engine {
  name: string;
  /** A database migrated up to and including `through` (all when omitted). */
  open(through?: number): Promise<{ db: Db; ownerId: string; close(): Promise<void> }>;
}

const upTo = (through?: number) =>
  loadMigrations(MIGRATIONS_DIR).filter((m) => through === undefined || m.version <= through);

const engines: Engine[] = [
  {
    name: 'PGlite',
    async open(through?: number) {
      const t = await openTestDb('pglite', { migrate: false });
      await migrate(t.db, upTo(through));
      const { ensureLocalUser } = await import('../../src/main/db/users/repository');
      return { db: t.db, ownerId: await ensureLocalUser(t.db), close: t.close };
    },
  },
  ...(await testServers()).map((server) => ({
    name: server.name,
    open: (through?: number) => openMigratedServerDb(server.url, upTo(through)),
  })),
];

describe.each(engines)('upgrading a 0007 database to 0008 on $name', (engine) => {
  it('moves pins, archive, branch and tags into per-user rows with no HLC, and keeps every row', async () => {
    const { db, ownerId, close } = await engine.open(7);
    try {
      const [pinned, archived, plain] = [uuidv7(), uuidv7(), uuidv7()];
      const [m1, m2] = [uuidv7(), uuidv7()];
      await db.transaction(async (tx) => {
        await tx.query(sql`INSERT INTO chat_sessions (id, owner_id, title, pinned, tags) VALUES
                           (${pinned}, ${ownerId}, 'Pinned', true, '{work,sql}'),
                           (${archived}, ${ownerId}, 'Old', false, '{}'),
                           (${plain}, ${ownerId}, 'Plain', false, '{work}')`);
        await tx.query(sql`UPDATE chat_sessions SET status = 'archived' WHERE id = ${archived}`);
        await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content) VALUES
                           (${m1}, ${ownerId}, ${pinned}, 'user', 'hello')`);
        await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, content) VALUES
                           (${m2}, ${ownerId}, ${pinned}, ${m1}, 'assistant', 'hi')`);
        await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${m2} WHERE id = ${pinned}`);
      });

      await migrate(db, loadMigrations(MIGRATIONS_DIR));

      const state = await db.query<{
        session_id: string;
        pinned: boolean;
        archived: boolean;
        leaf: string | null;
        col_hlc: unknown;
      }>(sql`
        SELECT session_id, pinned, archived, current_leaf_id AS leaf, col_hlc FROM session_user_state
         WHERE owner_id = ${ownerId} ORDER BY session_id`);
      expect(state).toEqual(
        [
          { session_id: pinned, pinned: true, archived: false, leaf: m2, col_hlc: {} },
          { session_id: archived, pinned: false, archived: true, leaf: null, col_hlc: {} },
          { session_id: plain, pinned: false, archived: false, leaf: null, col_hlc: {} },
        ].sort((a, b) => a.session_id.localeCompare(b.session_id)),
      );
      const tags = await db.query<{ session_id: string; tag: string; on: boolean }>(sql`
        SELECT session_id, tag, confab_tag_is_on(added_hlc, removed_hlc) AS on FROM session_tags ORDER BY session_id, tag`);
      expect(tags).toEqual(
        [
          { session_id: pinned, tag: 'sql', on: true },
          { session_id: pinned, tag: 'work', on: true },
          { session_id: plain, tag: 'work', on: true },
        ].sort((a, b) => a.session_id.localeCompare(b.session_id) || a.tag.localeCompare(b.tag)),
      );
      // Rows written before sync carry no HLC: older than any write made from now on.
      const messages = await db.query<{ status_hlc: string | null; origin_client: string | null }>(
        sql`SELECT status_hlc, origin_client FROM messages ORDER BY id`,
      );
      expect(messages).toEqual([
        { status_hlc: null, origin_client: null },
        { status_hlc: null, origin_client: null },
      ]);
      // The session rows still show the same pins, statuses, tags and branch.
      const sessions = await db.query(
        sql`SELECT id, pinned, status, tags, current_leaf_id FROM chat_sessions ORDER BY id`,
      );
      expect(sessions).toEqual(
        [
          { id: pinned, pinned: true, status: 'active', tags: ['work', 'sql'], current_leaf_id: m2 },
          { id: archived, pinned: false, status: 'archived', tags: [], current_leaf_id: null },
          { id: plain, pinned: false, status: 'active', tags: ['work'], current_leaf_id: null },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
      // A write after the upgrade is stamped and wins over the legacy value in a merge.
      await db.query(sql`UPDATE chat_sessions SET title = 'Renamed' WHERE id = ${plain}`);
      const [stamped] = await db.query<{ h: Record<string, string> }>(
        sql`SELECT col_hlc AS h FROM chat_sessions WHERE id = ${plain}`,
      );
      expect(stamped!.h.title).toMatch(HLC_RE);
      // Owner foreign keys are gone from synced tables: a teammate's row may name an unknown owner.
      const fks = await db.query<{ name: string }>(sql`
        SELECT conname AS name FROM pg_constraint
         WHERE contype = 'f' AND conrelid IN ('chat_sessions'::regclass, 'messages'::regclass,
                                              'generation_runs'::regclass, 'tool_executions'::regclass)
         ORDER BY 1`);
      expect(fks.map((f) => f.name)).not.toContain('chat_sessions_owner_id_fkey');
      expect(fks.map((f) => f.name)).not.toContain('chat_sessions_current_leaf_fk');
      expect(fks.map((f) => f.name)).toContain('messages_session_id_fkey');
    } finally {
      await close();
    }
  });
});

describe.each(engines)('migration 0008 on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
  });
  afterAll(async () => {
    await close?.();
  });

  const hlcs = async (id: string) =>
    (await db.query<{ h: Record<string, unknown> }>(sql`SELECT col_hlc AS h FROM chat_sessions WHERE id = ${id}`))[0]!
      .h;

  it('stamps a new row with one HLC and an update only on the columns it changed', async () => {
    const s = await createSession({ db, ownerId }, { title: 'Stamps' });
    const created = await hlcs(s.id);
    expect(Object.keys(created)).toEqual(['_']);
    expect(created._).toMatch(HLC_RE);
    await db.query(sql`UPDATE chat_sessions SET title = 'New title' WHERE id = ${s.id}`);
    const renamed = await hlcs(s.id);
    expect(Object.keys(renamed).sort()).toEqual(['_', 'title']);
    expect(String(renamed.title) > String(renamed._)).toBe(true);
    // Derived columns (counters, the device user's pin) never stamp the shared row.
    await db.query(sql`UPDATE chat_sessions SET pinned = true, message_count = 5 WHERE id = ${s.id}`);
    expect(await hlcs(s.id)).toEqual(renamed);
  });

  it('keeps one HLC per settings key', async () => {
    const s = await createSession({ db, ownerId }, { title: 'Settings' });
    await db.query(sql`UPDATE chat_sessions SET settings = '{"a": 1, "b": 2}' WHERE id = ${s.id}`);
    const first = (await hlcs(s.id)).settings as Record<string, string>;
    expect(Object.keys(first).sort()).toEqual(['a', 'b']);
    await db.query(sql`UPDATE chat_sessions SET settings = '{"a": 1, "b": 3}' WHERE id = ${s.id}`);
    const second = (await hlcs(s.id)).settings as Record<string, string>;
    expect(second.a).toBe(first.a);
    expect(second.b! > first.b!).toBe(true);
  });

  it('stamps status and deletion of a message separately, and records the device that wrote it', async () => {
    const s = await createSession({ db, ownerId }, { title: 'Messages' });
    const m = uuidv7();
    await db.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content, status)
                       VALUES (${m}, ${ownerId}, ${s.id}, 'assistant', '', 'streaming')`);
    const read = async () =>
      (
        await db.query<{ status_hlc: string; deleted_hlc: string; origin_client: string; node: string }>(sql`
        SELECT status_hlc, deleted_hlc, origin_client, confab_hlc_node() AS node FROM messages WHERE id = ${m}`)
      )[0]!;
    const inserted = await read();
    expect(inserted.status_hlc).toMatch(HLC_RE);
    expect(inserted.origin_client).toBe(inserted.node);
    await db.query(sql`UPDATE messages SET content = 'done', status = 'complete' WHERE id = ${m}`);
    const completed = await read();
    expect(completed.status_hlc > inserted.status_hlc).toBe(true);
    expect(completed.deleted_hlc).toBe(inserted.deleted_hlc);
    await db.query(sql`UPDATE messages SET deleted_at = now() WHERE id = ${m}`);
    const deleted = await read();
    expect(deleted.deleted_hlc > completed.status_hlc).toBe(true);
    expect(deleted.status_hlc).toBe(completed.status_hlc);
  });

  it("writes the device user's pin, archive, branch and tags into synced per-user rows", async () => {
    const s = await createSession({ db, ownerId }, { title: 'State', tags: ['a', 'b'] });
    await db.query(sql`UPDATE chat_sessions SET pinned = true, status = 'archived', tags = '{b,c}' WHERE id = ${s.id}`);
    const state = await db.query(
      sql`SELECT pinned, archived FROM session_user_state WHERE session_id = ${s.id} AND owner_id = ${ownerId}`,
    );
    expect(state).toEqual([{ pinned: true, archived: true }]);
    const tags = await db.query(sql`
      SELECT tag, confab_tag_is_on(added_hlc, removed_hlc) AS on, removed_hlc IS NOT NULL AS removed
        FROM session_tags WHERE session_id = ${s.id} ORDER BY tag`);
    expect(tags).toEqual([
      { tag: 'a', on: false, removed: true },
      { tag: 'b', on: true, removed: false },
      { tag: 'c', on: true, removed: false },
    ]);
  });

  it('shows pulled per-user state on the session row, whichever arrives first', async () => {
    const early = uuidv7();
    const later = uuidv7();
    const hlc = '001900000000000-00000-00000000000000aa';
    await db.transaction(async (tx) => {
      // State before its session (pulled batches may come in any order).
      await tx.query(
        sql`SELECT confab_merge('session_user_state', ${JSON.stringify([
          {
            session_id: early,
            owner_id: ownerId,
            pinned: true,
            archived: false,
            current_leaf_id: null,
            col_hlc: { _: hlc },
            created_at: '2026-01-01T00:00:00Z',
            updated_at: '2026-01-01T00:00:00Z',
          },
        ])}::jsonb)`,
      );
      await tx.query(
        sql`SELECT confab_merge('session_tags', ${JSON.stringify([
          {
            session_id: early,
            owner_id: ownerId,
            tag: 'pulled',
            added_hlc: hlc,
            created_at: '2026-01-01T00:00:00Z',
            updated_at: '2026-01-01T00:00:00Z',
          },
        ])}::jsonb)`,
      );
      await tx.query(
        sql`SELECT confab_merge('chat_sessions', ${JSON.stringify([
          {
            id: early,
            owner_id: ownerId,
            title: 'Pulled',
            description: '',
            system_prompt: '',
            settings: {},
            visibility: 'private',
            col_hlc: { _: hlc },
            created_at: '2026-01-01T00:00:00Z',
            updated_at: '2026-01-01T00:00:00Z',
          },
          {
            id: later,
            owner_id: ownerId,
            title: 'Pulled too',
            description: '',
            system_prompt: '',
            settings: {},
            visibility: 'private',
            col_hlc: { _: hlc },
            created_at: '2026-01-01T00:00:00Z',
            updated_at: '2026-01-01T00:00:00Z',
          },
        ])}::jsonb)`,
      );
      // State after its session.
      await tx.query(
        sql`SELECT confab_merge('session_user_state', ${JSON.stringify([
          {
            session_id: later,
            owner_id: ownerId,
            pinned: false,
            archived: true,
            current_leaf_id: null,
            col_hlc: { _: hlc },
            created_at: '2026-01-01T00:00:00Z',
            updated_at: '2026-01-01T00:00:00Z',
          },
        ])}::jsonb)`,
      );
    });
    const rows = await db.query(
      sql`SELECT id, title, pinned, status, tags FROM chat_sessions WHERE id IN (${early}, ${later}) ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: early, title: 'Pulled', pinned: true, status: 'active', tags: ['pulled'] },
      { id: later, title: 'Pulled too', pinned: false, status: 'archived', tags: [] },
    ]);
    // Applying pulled rows neither stamped them again nor wrote local state back.
    expect(await hlcs(early)).toEqual({ _: hlc });
    // The clock moved past what it saw: the next local write is newer.
    const [next] = await db.query<{ h: string }>(sql`SELECT confab_hlc_now() AS h`);
    expect(next!.h > hlc).toBe(true);
  });

  it('clears the branch shown when its message is purged (what the dropped foreign key did)', async () => {
    const s = await createSession({ db, ownerId }, { title: 'Leaf' });
    const m = uuidv7();
    await db.query(
      sql`INSERT INTO messages (id, owner_id, session_id, role) VALUES (${m}, ${ownerId}, ${s.id}, 'user')`,
    );
    await db.query(sql`UPDATE chat_sessions SET current_leaf_id = ${m} WHERE id = ${s.id}`);
    await db.query(sql`DELETE FROM messages WHERE id = ${m}`);
    expect(await db.query(sql`SELECT current_leaf_id FROM chat_sessions WHERE id = ${s.id}`)).toEqual([
      { current_leaf_id: null },
    ]);
  });

  it('declares in SQL exactly the synced tables, keys, policies and derived columns of the table registry', async () => {
    for (const table of TABLES) {
      const [spec] = await db.query<{ policy: string | null; keys: string[] | null; derived: string[] | null }>(
        sql`SELECT (s).policy, (s).keys, (s).derived FROM (SELECT confab_sync_spec(${table.name}) AS s) x`,
      );
      if (table.scope !== 'synced') {
        expect(spec?.policy ?? null, table.name).toBeNull();
        continue;
      }
      expect(spec, table.name).toEqual({ policy: table.merge, keys: [...table.key], derived: [...table.derived] });
    }
  });
});
