/**
 * The change index's entry per key (SYNC.md: state-based, one entry per key at the place of its
 * last change), as the insert and delete triggers write it (server migration 0023: a key's entry
 * is taken over and moved, not deleted and written again). What could break: a key with two
 * entries (a device pulls it twice, the second time stale), an entry left at its old place (a
 * device whose cursor is past it never sees the purge), or the old op kept (a purged message
 * stays on every device).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '../helpers/servers';
import {
  messageRow,
  numbered,
  pullAll,
  push,
  sessionRow,
  startTeamServer,
  type Member,
  type TeamServer,
} from './helpers/team';

const servers = await testServers();

interface Entry {
  op: string;
  xid: string;
  seq: string;
  pushed_as_sent: boolean;
}

describe.each(servers)('change entries taken over on $name', ({ url }) => {
  let team: TeamServer;
  let alice: Member;

  beforeAll(async () => {
    team = await startTeamServer(url);
    alice = await team.addMember('alice');
  });
  afterAll(async () => {
    await team?.close();
  });

  /** Every upsert or purge entry of a message, oldest first. */
  async function entriesOf(id: string): Promise<Entry[]> {
    const { rows } = await team.admin.query<Entry>(
      `SELECT op, xid::text, seq::text, pushed_as_sent FROM sync.changes
        WHERE tbl = 'messages' AND pk = jsonb_build_array($1::text) AND op IN ('upsert', 'purge')
        ORDER BY xid, seq`,
      [id],
    );
    return rows;
  }

  /** Whether entry a comes after entry b in the index's (xid, seq) order. */
  async function after(a: Entry, b: Entry): Promise<boolean> {
    const { rows } = await team.admin.query<{ later: boolean }>(
      'SELECT ($1::xid8, $2::bigint) > ($3::xid8, $4::bigint) AS later',
      [a.xid, a.seq, b.xid, b.seq],
    );
    return rows[0]!.later;
  }

  it('a purge and a later insert of the same key each move its one entry after every change before them', async () => {
    const chat = sessionRow(alice);
    const [first, second, third] = [0, 1, 2].map(() => messageRow(alice, chat.id));
    const pushed = await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: chat },
        { tbl: 'messages', row: first! },
        { tbl: 'messages', row: second! },
        { tbl: 'messages', row: third! },
      ]),
    );
    expect(pushed).toMatchObject({ status: 'ok', rejected: [] });
    const [inserted] = await entriesOf(first!.id);
    expect(inserted).toMatchObject({ op: 'upsert', pushed_as_sent: true });

    // The purge goes through the delete trigger: the key's entry becomes the purge, after the
    // other messages' entries.
    const purged = await push(alice, numbered(alice, [{ tbl: 'messages', op: 'purge', row: { id: first!.id } }]));
    expect(purged).toMatchObject({ status: 'ok', rejected: [] });
    const afterPurge = await entriesOf(first!.id);
    expect(afterPurge.map((e) => e.op)).toEqual(['purge']);
    const [thirdEntry] = await entriesOf(third!.id);
    expect(await after(afterPurge[0]!, thirdEntry!)).toBe(true);

    // Written back straight into the table (an admin's restore; a push would be refused, the key
    // is buried): the insert trigger takes the purge's entry over.
    await team.admin.query(`INSERT INTO messages SELECT * FROM jsonb_populate_record(NULL::messages, $1::jsonb)`, [
      JSON.stringify({ ...first, depth: 0 }),
    ]);
    const restored = await entriesOf(first!.id);
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ op: 'upsert', pushed_as_sent: false });
    expect(await after(restored[0]!, afterPurge[0]!)).toBe(true);

    // What a device pulling from the start sees: each key once, with its last op.
    const { changes } = await pullAll(alice.client);
    const ours = changes.filter(
      (c) => c.tbl === 'messages' && [first!.id, second!.id, third!.id].includes(String(c.pk[0])),
    );
    expect(ours.map((c) => [String(c.pk[0]), c.op])).toEqual([
      [second!.id, 'upsert'],
      [third!.id, 'upsert'],
      [first!.id, 'upsert'],
    ]);
  });

  it('one statement that deletes several keys leaves each of them one purge entry, in the statement', async () => {
    const chat = sessionRow(alice);
    const messages = [0, 1, 2, 3].map(() => messageRow(alice, chat.id));
    await push(
      alice,
      numbered(alice, [{ tbl: 'chat_sessions', row: chat }, ...messages.map((row) => ({ tbl: 'messages', row }))]),
    );
    const gone = messages.slice(0, 3).map((m) => m.id);
    await team.admin.query('DELETE FROM messages WHERE id = ANY ($1::uuid[])', [gone]);
    const entries: Entry[][] = [];
    for (const id of gone) entries.push(await entriesOf(id));
    expect(entries.map((e) => e.map((x) => x.op))).toEqual([['purge'], ['purge'], ['purge']]);
    const [kept] = await entriesOf(messages[3]!.id);
    for (const [e] of entries) expect(await after(e!, kept!)).toBe(true);
  });
});
