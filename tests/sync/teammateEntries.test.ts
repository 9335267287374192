/**
 * A pull passes every teammate's change entry after its cursor, and row-level security decides
 * for each whether the member may read it (server migration 0024). What could break: the pull
 * showing a teammate's private chat, hiding a shared one, or paying a chat lookup for every
 * teammate's entry (a new device in a large team spent most of its first sync on that). The cost
 * is read from the functions' call counts in the pulling transaction, not from a clock.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '../helpers/servers';
import { link } from './helpers/devices';
import {
  messageRow,
  numbered,
  push,
  sessionRow,
  settled,
  startTeamServer,
  type Member,
  type TeamServer,
} from './helpers/team';

const servers = await testServers();
const PRIVATE_MESSAGES = 300;

/**
 * Calls of the sync functions `names` that `run` made. Read as a difference: the counts of the
 * session's earlier transactions may not have been handed to the statistics yet and still show.
 */
async function callsDuring<T>(client: pg.Client, names: string[], run: () => Promise<T>) {
  const read = async () => {
    const { rows } = await client.query<{ funcname: string; calls: number }>(
      `SELECT funcname, calls::int FROM pg_stat_xact_user_functions
        WHERE schemaname = 'sync' AND funcname = ANY ($1::text[])`,
      [names],
    );
    return new Map(rows.map((r) => [r.funcname, r.calls]));
  };
  const before = await read();
  const result = await run();
  const after = await read();
  const calls = Object.fromEntries(names.map((n) => [n, (after.get(n) ?? 0) - (before.get(n) ?? 0)]));
  return { result, calls };
}

describe.each(servers)("a teammate's entries in a pull, on $name", ({ url }) => {
  let team: TeamServer;
  let alice: Member;
  let bob: Member;
  let bobTraced: pg.Client;
  const shared = { chat: '', messages: [] as string[] };
  const hidden = { chat: '', messages: [] as string[] };
  const own = { chat: '', messages: [] as string[] };

  beforeAll(async () => {
    team = await startTeamServer(url);
    alice = await team.addMember('alice', 'research');
    bob = await team.addMember('bob', 'research');
    const privateChat = sessionRow(alice);
    const privateMessages = Array.from({ length: PRIVATE_MESSAGES }, () => messageRow(alice, privateChat.id));
    const teamChat = sessionRow(alice, { visibility: 'team' });
    const teamMessages = [0, 1, 2].map(() => messageRow(alice, teamChat.id));
    const pushed = await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: privateChat },
        { tbl: 'chat_sessions', row: teamChat },
        ...[...privateMessages, ...teamMessages].map((row) => ({ tbl: 'messages', row })),
      ]),
    );
    expect(pushed).toMatchObject({ status: 'ok', rejected: [] });
    const bobChat = sessionRow(bob);
    const bobMessages = [0, 1].map(() => messageRow(bob, bobChat.id));
    expect(
      await push(
        bob,
        numbered(bob, [
          { tbl: 'chat_sessions', row: bobChat },
          ...bobMessages.map((row) => ({ tbl: 'messages', row })),
        ]),
      ),
    ).toMatchObject({ status: 'ok', rejected: [] });
    Object.assign(shared, { chat: teamChat.id, messages: teamMessages.map((m) => m.id) });
    Object.assign(hidden, { chat: privateChat.id, messages: privateMessages.map((m) => m.id) });
    Object.assign(own, { chat: bobChat.id, messages: bobMessages.map((m) => m.id) });
    // Function call counts for bob's sessions from here on (a setting only a superuser may make).
    await team.admin.query(`ALTER ROLE ${bob.role} SET track_functions = 'all'`);
    bobTraced = await link(bob.url);
  });
  afterAll(async () => {
    await bobTraced?.end().catch(() => {});
    await team?.close();
  });

  it("shows bob his own and the team's shared chat, none of alice's private one, without a chat lookup per entry", async () => {
    await settled(bobTraced);
    const { result: rows, calls } = await callsDuring(
      bobTraced,
      ['may_read_session', 'team_shared_chats'],
      async () => {
        const { rows } = await bobTraced.query<{ tbl: string; op: string; id: string }>(
          `SELECT tbl, op, pk ->> 0 AS id FROM sync.pull('0'::xid8, 0, 10000) WHERE tbl IN ('chat_sessions', 'messages')`,
        );
        return rows;
      },
    );
    const seen = new Set(rows.map((r) => r.id));
    for (const id of [own.chat, ...own.messages, shared.chat, ...shared.messages]) expect(seen).toContain(id);
    for (const id of [hidden.chat, ...hidden.messages]) expect(seen).not.toContain(id);
    // Alice's 301 private entries were passed; the shared chats were read once for the pull's
    // scan of the index. What may remain are the body lookups of the rows bob reads.
    expect(calls.team_shared_chats).toBe(1);
    expect(calls.may_read_session).toBeLessThan(PRIVATE_MESSAGES / 10);
  });

  it('the first sync counts what is to come the same way', async () => {
    const { result: n, calls } = await callsDuring(bobTraced, ['may_read_session'], async () => {
      const { rows } = await bobTraced.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sync.changes WHERE tbl = 'messages'`,
      );
      return rows[0]!.n;
    });
    expect(n).toBe(own.messages.length + shared.messages.length);
    expect(calls.may_read_session).toBe(0);
  });
});
