/**
 * The team view's server questions (issue 14) on every real PostgreSQL a team server may run:
 * who a shared chat is visible to, and usage per member, asked as members' own login roles
 * through the same functions the app calls (src/main/sync/teamServer.ts). Team usage stays off
 * until the admin turns it on with `team init --team-usage`, and even then a member never reads a
 * teammate's runs, only the sums.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { team as teamCommand } from '../../scripts/team';
import { teamMembersOf, teamUsageOver, type WithServer } from '../../src/main/sync/teamServer';
import { testServers } from '../helpers/servers';
import { startTeamServer, type Member, type TeamServer } from './helpers/team';

const lend =
  (client: pg.ClientBase): WithServer =>
  (fn) =>
    fn(client);

const FROM = '2026-11-01T00:00:00Z';
const TO = '2026-12-01T00:00:00Z';

describe.each(await testServers())('team view questions on $name', ({ url }) => {
  let team: TeamServer;
  let alice: Member;
  let bob: Member;
  let carol: Member;

  /** A finished run, written by the admin as a pushed run would land (the server stamps it). */
  const run = (m: Member, model: string, tokensIn: number, tokensOut: number, at = '2026-11-15T12:00:00Z') =>
    team.admin.query(
      `INSERT INTO generation_runs (id, owner_id, provider_id, model, status, tokens_in, tokens_out, started_at)
       VALUES ($1, $2, 'openai', $3, 'succeeded', $4, $5, $6)`,
      [uuidv7(), m.userId, model, tokensIn, tokensOut, at],
    );

  beforeAll(async () => {
    team = await startTeamServer(url);
    alice = await team.addMember('alice', 'eng');
    bob = await team.addMember('bob', 'eng');
    carol = await team.addMember('carol', 'ops');
    await run(alice, 'gpt-5', 1_000_000, 100_000);
    await run(alice, 'gpt-5', 500_000, 0);
    await run(alice, 'gpt-5', 9, 9, '2026-10-31T23:59:59Z'); // before the range
    await run(bob, 'some-local-model', 2_000, 3_000);
    await run(carol, 'gpt-5', 7, 7);
  });
  afterAll(async () => {
    await team?.close();
  });

  it("names the owner's teammates, never the owner or another team", async () => {
    expect(await teamMembersOf(lend(alice.client), alice.userId)).toEqual([{ userId: bob.userId, name: bob.role }]);
    // Bob, looking at a chat Alice shared, is told the same team.
    expect(await teamMembersOf(lend(bob.client), alice.userId)).toEqual([{ userId: bob.userId, name: bob.role }]);
    // Carol cannot see the eng team's members at all.
    expect(await teamMembersOf(lend(carol.client), alice.userId)).toEqual([]);
  });

  it('team usage is off by default: nothing but enabled=false', async () => {
    expect(await teamUsageOver(lend(alice.client), FROM, TO)).toEqual({ enabled: false, rows: [] });
  });

  it('once the admin turns it on, each member sees sums per member of their own team only', async () => {
    const lines: string[] = [];
    expect(await teamCommand(['init', team.url, '--team-usage'], (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toMatch(/^Team usage is on/);

    const usage = await teamUsageOver(lend(bob.client), FROM, TO);
    expect(usage.enabled).toBe(true);
    expect(usage.rows).toEqual([
      // gpt-5 at $1.25 in / $10 out per million tokens: 1.5M in and 0.1M out.
      { userId: alice.userId, name: alice.role, requests: 2, tokensIn: 1_500_000, tokensOut: 100_000, costUsd: 2.875 },
      { userId: bob.userId, name: bob.role, requests: 1, tokensIn: 2_000, tokensOut: 3_000, costUsd: null },
    ]);
    const ops = await teamUsageOver(lend(carol.client), FROM, TO);
    expect(ops.rows.map((r) => [r.name, r.requests])).toEqual([[carol.role, 1]]);

    // The runs themselves stay their owner's: row-level security is unchanged for members.
    const { rows } = await bob.client.query<{ n: string }>('SELECT count(*)::text AS n FROM generation_runs');
    expect(rows[0]?.n).toBe('1');
  });

  it('answers over whole UTC days: a narrow window cannot single out one run', async () => {
    // Two runs of alice's on one day, eight hours apart; a 1 ms window around the first.
    await run(alice, 'gpt-5-nano', 4_000, 100, '2026-11-20T09:00:00.123Z');
    await run(alice, 'gpt-5-nano', 5_000, 100, '2026-11-20T17:00:00Z');
    const narrow = await teamUsageOver(lend(bob.client), '2026-11-20T09:00:00.123Z', '2026-11-20T09:00:00.124Z');
    const day = await teamUsageOver(lend(bob.client), '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z');
    const aliceIn = (u: Awaited<ReturnType<typeof teamUsageOver>>) => u.rows.find((r) => r.userId === alice.userId);
    expect(aliceIn(narrow)).toMatchObject({ requests: 2, tokensIn: 9_000 });
    expect(aliceIn(narrow)).toEqual(aliceIn(day));
  });

  it('re-running init keeps the setting; --private-usage turns it off', async () => {
    const lines: string[] = [];
    expect(await teamCommand(['init', team.url], (l) => lines.push(l))).toBe(0);
    expect((await teamUsageOver(lend(alice.client), FROM, TO)).enabled).toBe(true);
    expect(await teamCommand(['init', team.url, '--private-usage'], (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toMatch(/^Team usage is off/);
    expect(await teamUsageOver(lend(alice.client), FROM, TO)).toEqual({ enabled: false, rows: [] });
    expect(await teamCommand(['init', team.url, '--team-usage', '--private-usage'], () => undefined)).toBe(2);
  });

  it('only members may call it, and it cannot be pointed at another team', async () => {
    const { rows } = await team.admin.query<{ pub: boolean; member: boolean }>(
      `SELECT has_function_privilege('public', 'sync.team_usage(timestamptz, timestamptz)', 'EXECUTE') AS pub,
              has_function_privilege('confab_member', 'sync.team_usage(timestamptz, timestamptz)', 'EXECUTE') AS member`,
    );
    expect(rows[0]).toEqual({ pub: false, member: true });
    // An app-level setting is not an identity: SET does not move a member into another team.
    await carol.client.query("SET app.user_id = '" + alice.userId + "'");
    await team.admin.query('UPDATE sync.meta SET team_usage = true');
    const ops = await teamUsageOver(lend(carol.client), FROM, TO);
    expect(ops.rows.map((r) => r.userId)).toEqual([carol.userId]);
  });
});
