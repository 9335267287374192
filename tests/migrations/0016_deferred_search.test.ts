/**
 * Migration 0016 (deferred search indexing) on every engine its SQL must run on, PostgreSQL 15
 * included: a database with messages upgrades in place, its rows keep their vectors, the trigger
 * computes what the generated column did, and the bulk writers' setting leaves rows unindexed.
 */
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { migrate } from '../../src/main/db/migrator';
import { deferSearchIndexing, indexAllSearch } from '../../src/main/db/search/indexer';
import { sql } from '../../src/main/db/sql';
import { migrationsUpTo, upgradeEngines } from '../helpers/upgradeEngines';

const engines = await upgradeEngines();
const upTo = migrationsUpTo;

describe.each(engines)('upgrading to 0016 on $name', (engine) => {
  it('keeps every vector, computes new ones like the generated column, and defers when asked', async () => {
    const { db, ownerId, close } = await engine.open(15);
    try {
      const session = uuidv7();
      const [m1, m2, m3] = [uuidv7(), uuidv7(), uuidv7()];
      await db.query(sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${session}, ${ownerId}, 'Old')`);
      await db.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content) VALUES
                         (${m1}, ${ownerId}, ${session}, 'user', 'Keeping notes synced across devices'),
                         (${m2}, ${ownerId}, ${session}, 'assistant', '')`);
      const vectors = async () =>
        db.query<{ id: string; tsv: string | null }>(sql`SELECT id, search_tsv::text AS tsv FROM messages ORDER BY id`);
      const before = await vectors();
      expect(before.map((r) => r.tsv)).toEqual(["'across':4 'devic':5 'keep':1 'note':2 'sync':3", '']);

      await migrate(db, upTo());
      expect(await vectors()).toEqual(before);
      const [column] = await db.query<{ generated: string }>(sql`
        SELECT attgenerated::text AS generated FROM pg_attribute
         WHERE attrelid = 'messages'::regclass AND attname = 'search_tsv'`);
      expect(column!.generated).toBe('');

      // A write and an edit outside a bulk writer are indexed at once, as before.
      await db.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, content)
                         VALUES (${m3}, ${ownerId}, ${session}, ${m1}, 'user', 'Syncing again')`);
      await db.query(sql`UPDATE messages SET content = 'Devices disagree' WHERE id = ${m2}`);
      const [fresh] = await db.query<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM messages
         WHERE search_tsv IS NOT DISTINCT FROM to_tsvector('english', left(content, 200000))`);
      expect(fresh!.n).toBe(3);

      // A bulk writer's rows wait, and the indexer gives them the same vectors.
      const m4 = uuidv7();
      await db.transaction(async (tx) => {
        await deferSearchIndexing(tx);
        await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, content)
                           VALUES (${m4}, ${ownerId}, ${session}, ${m3}, 'assistant', 'Synced now')`);
      });
      const [waiting] = await db.query<{ tsv: string | null }>(sql`SELECT search_tsv::text AS tsv FROM messages WHERE id = ${m4}`);
      expect(waiting!.tsv).toBeNull();
      expect(await indexAllSearch(db)).toBe(1);
      // The setting lasted only for its transaction.
      await db.query(sql`UPDATE messages SET content = 'Synced now, really' WHERE id = ${m4}`);
      const [all] = await db.query<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM messages
         WHERE search_tsv IS NOT DISTINCT FROM to_tsvector('english', left(content, 200000))`);
      expect(all!.n).toBe(4);

      const indexes = await db.query<{ name: string; def: string }>(sql`
        SELECT indexname AS name, indexdef AS def FROM pg_indexes
         WHERE tablename = 'messages' AND indexname IN ('messages_content_trgm_idx', 'messages_search_tsv_idx', 'messages_search_pending_idx')
         ORDER BY indexname`);
      expect(indexes.map((i) => [i.name, /WHERE \(search_tsv IS (NOT )?NULL\)/.exec(i.def)?.[0]])).toEqual([
        ['messages_content_trgm_idx', 'WHERE (search_tsv IS NOT NULL)'],
        ['messages_search_pending_idx', 'WHERE (search_tsv IS NULL)'],
        ['messages_search_tsv_idx', 'WHERE (search_tsv IS NOT NULL)'],
      ]);
    } finally {
      await close();
    }
  });
});
