/**
 * The first device of a new member keeps its own user id (server migration 0021): its history is
 * not rewritten at the first connect, and later devices adopt that id. The server refuses an id
 * that any member has or ever had, refuses once the member's first client exists or one claim was
 * tried, and a device syncing with a server from before 0021 adopts the member's id as before.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadMigrations } from '../../src/main/db/migrator';
import { sql } from '../../src/main/db/sql';
import { removeMember } from '../../src/main/db/sync/admin/members';
import { applyServerMigrations, SERVER_MIGRATIONS_DIR } from '../../src/main/db/sync/admin/serverMigrations';
import { testServers } from '../helpers/servers';
import { link, newDevice, sync, writeChat, type Device } from './helpers/devices';
import { numbered, push, sessionRow, startTeamServer, type Member, type TeamServer } from './helpers/team';

const servers = await testServers();

const deviceUser = async (device: Device) =>
  (await device.db.query<{ id: string }>(sql`SELECT confab_device_user()::text AS id`))[0]!.id;

/** Each message's row version: an UPDATE of the row (identity adoption's rewrite) changes it. */
const messageVersions = async (device: Device) =>
  device.db.query<{ id: string; xmin: string; indexed: boolean }>(
    sql`SELECT id::text, xmin::text, search_tsv IS NOT NULL AS indexed FROM messages ORDER BY id`,
  );

const claim = async (member: Member, id: string | null) =>
  (await member.client.query<{ id: string | null }>('SELECT sync.claim_user_id($1::uuid)::text AS id', [id])).rows[0]!
    .id;

const memberId = async (team: TeamServer, member: Member) =>
  (
    await team.admin.query<{ id: string }>('SELECT user_id::text AS id FROM sync.users WHERE role_name = $1', [
      member.role,
    ])
  ).rows[0]!.id;

/** A first push by the member under the id the member was made with (the raw protocol). */
async function pushChat(member: Member): Promise<void> {
  const r = await push(member, numbered(member, [{ tbl: 'chat_sessions', row: sessionRow(member) }]));
  expect(r.status).toBe('ok');
}

describe.each(servers)('the first device keeps its user id, on $name', ({ url }) => {
  let team: TeamServer;
  const devices: Device[] = [];
  const links: pg.Client[] = [];
  const device = async () => {
    const d = await newDevice();
    devices.push(d);
    return d;
  };
  const memberLink = async (m: Member) => {
    const c = await link(m.url);
    links.push(c);
    return c;
  };
  beforeAll(async () => {
    team = await startTeamServer(url);
  });
  afterAll(async () => {
    for (const c of links) await c.end().catch(() => {});
    for (const d of devices) await d.close();
    await team?.close();
  });

  it("a new member's first device keeps its id and rewrites nothing; the member's next device adopts it", async () => {
    const ada = await team.addMember('ada', undefined, { claimable: true });
    const laptop = await device();
    await writeChat(laptop, 'Kept', 5);
    const laptopId = await deviceUser(laptop);
    const before = await messageVersions(laptop);
    expect(before.every((m) => m.indexed)).toBe(true);

    const round = await sync(laptop, await memberLink(ada));
    expect(round.server.userId).toBe(laptopId);
    expect(round.pushed).toBeGreaterThanOrEqual(1 + 1 + 5);
    expect(await memberId(team, ada)).toBe(laptopId);
    // No row was rewritten: the same row versions, still in the search index.
    expect(await messageVersions(laptop)).toEqual(before);
    expect(await deviceUser(laptop)).toBe(laptopId);

    const phone = await device();
    const phoneOwnId = await deviceUser(phone);
    await sync(phone, await memberLink(ada));
    expect(await deviceUser(phone)).toBe(laptopId);
    const [got] = await phone.db.query<{ messages: number; owners: string[]; stray: number }>(sql`
      SELECT (SELECT count(*)::int FROM messages) AS messages,
             (SELECT array_agg(DISTINCT owner_id::text) FROM messages) AS owners,
             (SELECT count(*)::int FROM users WHERE id = ${phoneOwnId}) AS stray`);
    expect(got).toEqual({ messages: 5, owners: [laptopId], stray: 0 });
    // The member's made-up id is retired: no one may take it later.
    const bob = await team.addMember('bob', undefined, { claimable: true });
    expect(await claim(bob, ada.userId)).toBe(bob.userId);
  });

  it('refuses an id another member has or had, a second try, a member who pushed, and an id that is not claimable', async () => {
    const ada = await team.addMember('ada', undefined, { claimable: true });
    const bob = await team.addMember('bob', undefined, { claimable: true });
    // Another member's id: refused, and the one try is spent.
    expect(await claim(bob, ada.userId)).toBe(bob.userId);
    expect(await claim(bob, randomUUID())).toBe(bob.userId);
    expect(await memberId(team, bob)).toBe(bob.userId);

    // A removed member's rows stay under their id: whoever took it would own them.
    const dave = await team.addMember('dave');
    await pushChat(dave);
    await dave.client.end();
    await removeMember(team.admin, dave.role);
    team.members.splice(team.members.indexOf(dave), 1);
    const carol = await team.addMember('carol', undefined, { claimable: true });
    expect(await claim(carol, dave.userId)).toBe(carol.userId);

    // The member's first client settles it: the first push came before the claim.
    const erin = await team.addMember('erin', undefined, { claimable: true });
    await pushChat(erin);
    expect(await claim(erin, randomUUID())).toBe(erin.userId);

    // A member made claimable = false (or before 0021), and a role that is no member.
    const frank = await team.addMember('frank');
    expect(await claim(frank, randomUUID())).toBe(frank.userId);
    expect(await claim(ada, null)).toBe(ada.userId);

    // Members change their row only through the claim; the helpers are the server's own.
    await expect(ada.client.query('UPDATE sync.users SET user_id = gen_random_uuid()')).rejects.toMatchObject({
      code: '42501',
    });
    await expect(ada.client.query('SELECT sync.retire_user_id()')).rejects.toMatchObject({ code: '42501' });
    await expect(ada.client.query('SELECT * FROM sync.retired_user_ids')).rejects.toMatchObject({ code: '42501' });
    const fresh = randomUUID();
    expect(await claim(ada, fresh)).toBe(fresh);
  });

  it('a claim waits for a first push in flight and is refused after it', async () => {
    const gus = await team.addMember('gus', undefined, { claimable: true });
    const other = await memberLink(gus);
    await gus.client.query('BEGIN');
    await pushChat(gus);
    const claimed = claim({ ...gus, client: other }, randomUUID());
    // The claim waits on the member's row, which the first client's insert locked.
    await vi.waitFor(
      async () => {
        const { rows } = await team.admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`,
          [gus.role],
        );
        expect(rows[0]!.n).toBe(1);
      },
      { timeout: 20_000, interval: 25 },
    );
    await gus.client.query('COMMIT');
    expect(await claimed).toBe(gus.userId);
    expect(await memberId(team, gus)).toBe(gus.userId);
  });

  it('a first push that read the id a claim was replacing fails (40001), leaves nothing, and goes through under the new id', async () => {
    // The race of 0021's header: a device that never claims (a Confab from before 0021) makes its
    // first push while the member's other device claims. The claim holds the member's row, not
    // yet committed, so the push reads the old id and its first client waits on that row.
    const ivy = await team.addMember('ivy', undefined, { claimable: true });
    const other = await memberLink(ivy);
    const newId = randomUUID();
    await other.query('BEGIN');
    expect(await claim({ ...ivy, client: other }, newId)).toBe(newId);
    const chat = sessionRow(ivy);
    const batch = numbered(ivy, [{ tbl: 'chat_sessions', row: chat }]);
    const pushed = push(ivy, batch).then(
      () => null,
      (err: unknown) => err as { code?: string },
    );
    await vi.waitFor(
      async () => {
        const { rows } = await team.admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`,
          [ivy.role],
        );
        expect(rows[0]!.n).toBe(1);
      },
      { timeout: 20_000, interval: 25 },
    );
    await other.query('COMMIT');
    expect((await pushed)?.code).toBe('40001');
    // Nothing of the push stayed: no row under the retired id, no client.
    const { rows: left } = await team.admin.query<{ chats: number; clients: number }>(
      `SELECT (SELECT count(*)::int FROM chat_sessions WHERE id = $1) AS chats,
              (SELECT count(*)::int FROM sync.clients WHERE client_id = $2) AS clients`,
      [chat.id, ivy.clientId],
    );
    expect(left[0]).toEqual({ chats: 0, clients: 0 });
    expect(await memberId(team, ivy)).toBe(newId);
    // The next round has adopted the new id (the handshake names it): the same numbers go through.
    const again = await push(
      ivy,
      batch.map((m) => ({ ...m, row: { ...m.row, owner_id: newId } })),
    );
    expect(again).toMatchObject({ status: 'ok', rejected: [] });
    const { rows: owner } = await team.admin.query<{ owner: string }>(
      'SELECT owner_id::text AS owner FROM chat_sessions WHERE id = $1',
      [chat.id],
    );
    expect(owner).toEqual([{ owner: newId }]);
  });
});

describe.each(servers)('a server set up before the claim, on $name', ({ url }) => {
  let team: TeamServer;
  const devices: Device[] = [];
  beforeAll(async () => {
    const older = loadMigrations(SERVER_MIGRATIONS_DIR).filter((m) => m.version < 21);
    team = await startTeamServer(url, { serverMigrations: older });
  });
  afterAll(async () => {
    for (const d of devices) await d.close();
    await team?.close();
  });

  it('a device adopts the member id as before; after the upgrade, ids of members removed earlier stay retired', async () => {
    const ada = await team.addMember('ada', undefined, { claimable: true });
    const laptop = await newDevice();
    devices.push(laptop);
    await writeChat(laptop, 'Adopted', 3);
    const ownId = await deviceUser(laptop);
    const round = await sync(laptop, ada.client);
    expect(round.server.userId).toBe(ada.userId);
    expect(await deviceUser(laptop)).toBe(ada.userId);
    expect(ownId).not.toBe(ada.userId);
    const { rows } = await team.admin.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM public.messages WHERE owner_id = $1',
      [ada.userId],
    );
    expect(rows[0]!.n).toBe(3);

    // Ada leaves before the server is upgraded; her rows stay under her id.
    await ada.client.end();
    await removeMember(team.admin, ada.role);
    team.members.splice(team.members.indexOf(ada), 1);
    await applyServerMigrations(team.admin);
    const eve = await team.addMember('eve', undefined, { claimable: true });
    expect(await claim(eve, ada.userId)).toBe(eve.userId);
  });
});
