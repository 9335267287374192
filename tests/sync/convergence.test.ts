/**
 * Convergence (SYNC.md's table): three PGlite devices of one user and a real team server. Random
 * edits on each device (new chats, renames, replies, pins, tags, settings keys, trash and
 * restore) interleaved with sync rounds that pull in small random batches, rounds that are
 * repeated, and pushes whose acknowledgement is lost. Once quiet, every device holds exactly
 * what the server holds, and no edit that was acknowledged is lost.
 *
 * CONFAB_SYNC_RUNS sets the number of fast-check runs (default 3 here; more from the bench). A
 * failing seed is printed by fast-check; keep it as its own test with { seed, path }.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { sql } from '../../src/main/db/sql';
import { syncRound } from '../../src/main/db/sync/engine';
import { openTestDb, type TestDb } from '../helpers/engines';
import { testServers } from '../helpers/servers';
import { SCHEMA_VERSION, startTeamServer, type Member, type TeamServer } from './helpers/team';

const RUNS = Number(process.env.CONFAB_SYNC_RUNS ?? 3);

type Op =
  | { kind: 'create'; device: number; title: string }
  | { kind: 'rename'; device: number; pick: number; title: string }
  | { kind: 'reply'; device: number; pick: number; content: string }
  | { kind: 'pin'; device: number; pick: number; pinned: boolean }
  | { kind: 'tag'; device: number; pick: number; tags: string[] }
  | { kind: 'setting'; device: number; pick: number; key: string; value: number | null }
  | { kind: 'trash'; device: number; pick: number; deleted: boolean }
  | { kind: 'sync'; device: number; pullLimit: number; twice: boolean }
  | { kind: 'lostAck'; device: number };

const DEVICES = 3;
const device = fc.integer({ min: 0, max: DEVICES - 1 });
const pick = fc.nat();
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      device,
      title: fc.constantFrom('Plans', 'Notes', 'Ideas'),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('rename' as const),
      device,
      pick,
      title: fc.constantFrom('A', 'B', 'C', 'D'),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('reply' as const),
      device,
      pick,
      content: fc.constantFrom('hi', 'more', 'done'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('pin' as const), device, pick, pinned: fc.boolean() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('tag' as const),
      device,
      pick,
      tags: fc.subarray(['red', 'blue', 'green']),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('setting' as const),
      device,
      pick,
      key: fc.constantFrom('k1', 'k2'),
      value: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('trash' as const), device, pick, deleted: fc.boolean() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      device,
      pullLimit: fc.integer({ min: 1, max: 50 }),
      twice: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('lostAck' as const), device }), weight: 1 },
);

async function sessionIds(db: Db): Promise<string[]> {
  return (await db.query<{ id: string }>(sql`SELECT id FROM chat_sessions ORDER BY id`)).map((r) => r.id);
}

async function apply(db: Db, o: Op): Promise<void> {
  if (o.kind === 'create') {
    await db.query(
      sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${uuidv7()}, confab_device_user(), ${o.title})`,
    );
    return;
  }
  if (o.kind === 'sync' || o.kind === 'lostAck') return;
  const ids = await sessionIds(db);
  if (ids.length === 0) return;
  const id = ids[o.pick % ids.length]!;
  switch (o.kind) {
    case 'rename':
      await db.query(sql`UPDATE chat_sessions SET title = ${o.title} WHERE id = ${id}`);
      break;
    case 'reply':
      await db.transaction(async (tx) => {
        const m = uuidv7();
        await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, content)
                           SELECT ${m}, confab_device_user(), ${id},
                                  (SELECT current_leaf_id FROM chat_sessions WHERE id = ${id}), 'user', ${o.content}`);
        await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${m} WHERE id = ${id}`);
      });
      break;
    case 'pin':
      await db.query(sql`UPDATE chat_sessions SET pinned = ${o.pinned} WHERE id = ${id}`);
      break;
    case 'tag':
      await db.query(sql`UPDATE chat_sessions SET tags = ${o.tags} WHERE id = ${id}`);
      break;
    case 'setting':
      await db.query(
        o.value === null
          ? sql`UPDATE chat_sessions SET settings = settings - ${o.key} WHERE id = ${id}`
          : sql`UPDATE chat_sessions SET settings = settings || jsonb_build_object(${o.key}::text, ${o.value}::int) WHERE id = ${id}`,
      );
      break;
    case 'trash':
      await db.query(
        sql`UPDATE chat_sessions SET deleted_at = ${o.deleted ? new Date().toISOString() : null} WHERE id = ${id}`,
      );
      break;
  }
}

/** What must be equal everywhere: the synced columns of every row of this user. */
async function snapshot(query: (text: string) => Promise<unknown[]>): Promise<unknown> {
  return {
    sessions: await query(`SELECT id, title, description, settings, visibility, deleted_at IS NOT NULL AS trashed
                             FROM chat_sessions ORDER BY id`),
    messages: await query(`SELECT id, session_id, parent_id, content, status, deleted_at IS NOT NULL AS deleted
                             FROM messages ORDER BY id`),
    state: await query(
      `SELECT session_id, pinned, archived, current_leaf_id FROM session_user_state ORDER BY session_id`,
    ),
    tags: await query(
      `SELECT session_id, tag FROM session_tags WHERE confab_tag_is_on(added_hlc, removed_hlc) ORDER BY session_id, tag`,
    ),
  };
}

describe.each(await testServers())('convergence of three devices through $name', ({ url }) => {
  let team: TeamServer;
  beforeAll(async () => {
    team = await startTeamServer(url);
  });
  afterAll(async () => {
    await team?.close();
  });

  it('every device ends equal to the server, whatever the interleaving and faults', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const member: Member = await team.addMember('conv');
        const devices: TestDb[] = [];
        const links: pg.Client[] = [];
        try {
          for (let i = 0; i < DEVICES; i += 1) {
            devices.push(await openTestDb('pglite'));
            const link = new pg.Client({ connectionString: member.url });
            link.on('error', () => {}); // ended by the server when the member is removed
            await link.connect();
            links.push(link);
          }
          const sync = (i: number, pullLimit = 100) =>
            syncRound(devices[i]!.db, links[i]!, { schemaVersion: SCHEMA_VERSION, pullLimit });
          for (const o of ops) {
            const db = devices[o.device]!.db;
            if (o.kind === 'sync') {
              await sync(o.device, o.pullLimit);
              if (o.twice) await sync(o.device, o.pullLimit);
            } else if (o.kind === 'lostAck') {
              // The push commits on the server but the answer never arrives: the pending batch is
              // sent again by the next round, with the same numbers and ids.
              await syncRound(db, links[o.device]!, {
                schemaVersion: SCHEMA_VERSION,
                afterPushCommitted: () => {
                  throw new Error('connection lost before the acknowledgement');
                },
              }).catch(() => {});
            } else {
              await apply(db, o);
            }
          }
          // Quiet: every device syncs until nothing moves.
          for (let round = 0; round < 3; round += 1) for (let i = 0; i < DEVICES; i += 1) await sync(i);
          const server = await snapshot(async (text) => (await member.client.query(text)).rows);
          for (const d of devices) {
            const local = await snapshot((text) => d.db.query(sql([text] as unknown as TemplateStringsArray)));
            expect(local).toEqual(server);
            // And each device's session rows show its user's state.
            const shown = await d.db.query(sql`
              SELECT s.id FROM chat_sessions s JOIN session_user_state st ON st.session_id = s.id
               WHERE s.pinned <> st.pinned OR (s.status = 'archived') <> st.archived`);
            expect(shown).toEqual([]);
          }
          const pending = await Promise.all(
            devices.map((d) => d.db.query(sql`SELECT count(*)::int AS n FROM sync_pending`)),
          );
          expect(pending.flat()).toEqual(devices.map(() => ({ n: 0 })));
        } finally {
          for (const l of links) await l.end().catch(() => {});
          for (const d of devices) await d.close();
        }
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
