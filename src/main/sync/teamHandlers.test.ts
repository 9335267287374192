/**
 * The team slice as the core runs it: the real DB worker for the local half, and a real team
 * server (a member's own login role) lent through `withServer` for the server half, the way the
 * sync service lends its connection. The device's user is given the member's server id, as
 * identity adoption on first connect does.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { removeDataDir, startChatCore, type ChatCore } from '../../../tests/helpers/chatCore';
import { testServers } from '../../../tests/helpers/servers';
import { startTeamServer, type Member, type TeamServer } from '../../../tests/sync/helpers/team';
import { MemberNames } from './memberNames';
import { teamHandlers } from './teamHandlers';
import type { WithServer } from './teamServer';

let chat: ChatCore;
let team: TeamServer;
let alice: Member;
let bob: Member;
let lent = 0;
const lend =
  (client: pg.ClientBase): WithServer =>
  (fn) => {
    lent += 1;
    return fn(client);
  };

beforeAll(async () => {
  const [server] = await testServers();
  [chat, team] = await Promise.all([startChatCore(), startTeamServer(server!.url)]);
  alice = await team.addMember('alice', 'design');
  bob = await team.addMember('bob', 'design');
  await team.addMember('carol', 'ops');
  // This device is alice's: the server knows her by the device's user id.
  const own = await chat.api.sessions.create({ title: 'probe' });
  await team.admin.query('UPDATE sync.users SET user_id = $1 WHERE role_name = $2', [own.ownerId, alice.role]);
}, 180_000);

afterAll(async () => {
  await chat?.close();
  if (chat) removeDataDir(chat.dataDir);
  await team?.close();
});

describe('team handlers', () => {
  it('sharedWith: nobody for a private chat (without asking the server), the team without the owner once shared', async () => {
    const handlers = teamHandlers(chat.core.db, lend(alice.client));
    const chatId = (await chat.api.sessions.create({ title: 'Plans' })).id;
    lent = 0;
    expect(await handlers['sync.sharedWith']({ sessionId: chatId })).toEqual([]);
    expect(lent).toBe(0);

    expect(await handlers['sync.share']({ sessionId: chatId, shared: true })).toEqual({
      sessionId: chatId,
      shared: true,
    });
    expect(await handlers['sync.sharedWith']({ sessionId: chatId })).toEqual([{ userId: bob.userId, name: bob.role }]);
    expect(lent).toBe(1);
  });

  it('teamUsage: enabled=false until the admin turns it on, then the team from the server', async () => {
    const handlers = teamHandlers(chat.core.db, lend(alice.client));
    const range = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
    expect(await handlers['sync.teamUsage'](range)).toEqual({ enabled: false, rows: [] });
    await team.admin.query('UPDATE sync.meta SET team_usage = true');
    const usage = await handlers['sync.teamUsage'](range);
    expect(usage.enabled).toBe(true);
    expect(usage.rows.map((r) => r.name).sort()).toEqual([alice.role, bob.role].sort());
  });

  it("names teammates from the server's team list, keeps them while offline, and refreshes when stale", async () => {
    let now = 1_000_000;
    let online = true;
    const lendWhenOnline: WithServer = (fn) =>
      online ? fn(alice.client) : Promise.reject(new ConfabError('conflict', 'offline'));
    const names = new MemberNames(lendWhenOnline, () => now);
    expect((await names.current()).get(bob.userId)).toBe(bob.role);
    // Another team's member is not named.
    expect([...(await names.current()).values()].filter((n) => n.startsWith('carol_'))).toEqual([]);
    expect((await names.current()).size).toBe(2);
    await team.admin.query('UPDATE sync.users SET display_name = $1 WHERE role_name = $2', ['Bob B.', bob.role]);
    online = false;
    now += 120_000;
    expect((await names.current()).get(bob.userId)).toBe(bob.role);
    online = true;
    now += 120_000;
    await names.current(); // starts the refresh of a stale list; the answer after it has the new name
    await expect.poll(async () => (await names.current()).get(bob.userId)).toBe('Bob B.');
  });

  it('without a server connection, the server questions say so and the local ones still work', async () => {
    // As the sync service refuses while no server is connected.
    const notConnected: WithServer = () =>
      Promise.reject(new ConfabError('conflict', 'Connect this device to a team server first.'));
    const handlers = teamHandlers(chat.core.db, notConnected);
    const chatId = (await chat.api.sessions.create({ title: 'Offline share' })).id;
    await handlers['sync.share']({ sessionId: chatId, shared: true });
    const error = await handlers['sync.sharedWith']({ sessionId: chatId }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfabError);
    expect((error as ConfabError).message).toBe('Connect this device to a team server first.');
    expect(await handlers['sync.teamSessions']({ limit: 10 })).toEqual([]);
    // The core's own slice answers the same through the contract.
    expect((await chat.api.sessions.get({ id: chatId })).visibility).toBe('team');
    await expect(chat.api.sync.teamUsage(range2026())).rejects.toMatchObject({
      message: expect.stringMatching(/team server/),
    });
  });
});

function range2026() {
  return { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
}
