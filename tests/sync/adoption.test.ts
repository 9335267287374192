/**
 * Identity adoption on first connect (SYNC.md "One user, many devices"): the device's history
 * changes owner to the server's user with bookkeeping triggers off, and still arrives whole on the
 * server, with its usage totals, counters and times as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexAllSearch } from '../../src/main/db/search/indexer';
import { sql } from '../../src/main/db/sql';
import { testServers } from '../helpers/servers';
import { link, newDevice, sync, type Device } from './helpers/devices';
import { startTeamServer, type Member, type TeamServer } from './helpers/team';

const servers = await testServers();

/** Two chats of three messages, two finished model runs and a tool call, all by the local user. */
async function writeHistory(device: Device): Promise<void> {
  await device.db.query(sql`
    INSERT INTO chat_sessions (id, owner_id, title)
    SELECT gen_random_uuid(), confab_device_user(), 'Adopted ' || n FROM generate_series(1, 2) n`);
  await device.db.query(sql`
    INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content)
    SELECT md5(s.id::text || g)::uuid, s.owner_id, s.id, CASE WHEN g > 1 THEN md5(s.id::text || (g - 1))::uuid END,
           g - 1, CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END, s.title || ', message ' || g
      FROM chat_sessions s, generate_series(1, 3) g`);
  await device.db.query(sql`
    INSERT INTO generation_runs (id, owner_id, session_id, provider_id, model, status, tokens_in, tokens_out)
    SELECT gen_random_uuid(), s.owner_id, s.id, 'openai', 'gpt-test', 'succeeded', 100, 40
      FROM chat_sessions s`);
  await device.db.query(sql`
    INSERT INTO tool_executions (id, owner_id, run_id, tool_name, status)
    SELECT gen_random_uuid(), r.owner_id, r.id, 'search', 'succeeded' FROM generation_runs r LIMIT 1`);
}

const snapshot = async (device: Device) =>
  device.db.query<Record<string, unknown>>(sql`
    SELECT (SELECT count(*)::int FROM messages) AS messages,
           (SELECT array_agg(DISTINCT owner_id::text) FROM (
              SELECT owner_id FROM chat_sessions UNION ALL SELECT owner_id FROM messages
              UNION ALL SELECT owner_id FROM generation_runs UNION ALL SELECT owner_id FROM tool_executions
              UNION ALL SELECT owner_id FROM session_user_state UNION ALL SELECT owner_id FROM usage_rollup_daily
              UNION ALL SELECT owner_id FROM usage_rollup_quarter UNION ALL SELECT owner_id FROM usage_rollup_session) o) AS owners,
           (SELECT json_agg(json_build_array(day, provider_id, model, runs, succeeded, tokens_in, tokens_out)
                            ORDER BY day, provider_id, model) FROM usage_rollup_daily) AS daily,
           (SELECT json_agg(json_build_array(bucket, runs, tokens_in, tokens_out) ORDER BY bucket) FROM usage_rollup_quarter) AS quarter,
           (SELECT sum(runs)::int FROM usage_rollup_session) AS session_runs,
           (SELECT json_agg(json_build_array(title, message_count) ORDER BY title) FROM chat_sessions) AS chats,
           (SELECT json_agg(json_build_array(id, updated_at, depth) ORDER BY id) FROM messages) AS message_times,
           (SELECT count(*)::int FROM users) AS users`);

const searchHits = async (device: Device) =>
  (
    await device.db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM messages WHERE search_tsv @@ websearch_to_tsquery('english', 'adopted message')`,
    )
  )[0]!.n;

describe.each(servers)('identity adoption on $name', ({ url }) => {
  let team: TeamServer;
  let ada: Member;
  let laptop: Device;
  beforeAll(async () => {
    team = await startTeamServer(url);
    ada = await team.addMember('ada');
    laptop = await newDevice();
  });
  afterAll(async () => {
    await laptop?.close();
    await team?.close();
  });

  it('gives the whole history to the server user, keeps usage totals and times, and pushes every row', async () => {
    await writeHistory(laptop);
    const [before] = await snapshot(laptop);
    expect(await searchHits(laptop)).toBe(6);
    const laptopLink = await link(ada.url);
    const round = await sync(laptop, laptopLink);
    await laptopLink.end();

    const [after] = await snapshot(laptop);
    expect(after!.owners).toEqual([ada.userId]);
    expect(after!.users).toBe(1);
    // Renamed, not moved twice: each run counted once under the new owner.
    expect(after!.daily).toEqual(before!.daily);
    expect(after!.quarter).toEqual(before!.quarter);
    expect(after!.session_runs).toBe(2);
    expect(after!.chats).toEqual(before!.chats);
    expect(after!.message_times).toEqual(before!.message_times);

    // The first push carried every row: 1 user, 2 chats with their per-user state, 6 messages, 2 runs, 1 tool call.
    const rows = await team.admin.query<{ tbl: string; n: number }>(
      `SELECT 'chat_sessions' AS tbl, count(*)::int AS n FROM public.chat_sessions WHERE owner_id = $1
       UNION ALL SELECT 'messages', count(*)::int FROM public.messages WHERE owner_id = $1
       UNION ALL SELECT 'generation_runs', count(*)::int FROM public.generation_runs WHERE owner_id = $1
       UNION ALL SELECT 'tool_executions', count(*)::int FROM public.tool_executions WHERE owner_id = $1`,
      [ada.userId],
    );
    expect(Object.fromEntries(rows.rows.map((r) => [r.tbl, r.n]))).toEqual({
      chat_sessions: 2,
      messages: 6,
      generation_runs: 2,
      tool_executions: 1,
    });
    expect(round.rejected).toEqual([]);
    const [left] = await laptop.db.query<{ n: number }>(
      sql`SELECT ((SELECT count(*) FROM sync_outbox) + (SELECT count(*) FROM sync_pending))::int AS n`,
    );
    expect(left!.n).toBe(0);
    // The rewritten messages wait for the search indexer (the app runs it at the round's end).
    expect(await searchHits(laptop)).toBe(0);
    expect(await indexAllSearch(laptop.db)).toBe(6);
    expect(await searchHits(laptop)).toBe(6);
    // The role is back to normal for the rest of the device's life (set_config ... true is local).
    const [role] = await laptop.db.query<{ r: string }>(sql`SELECT current_setting('session_replication_role') AS r`);
    expect(role!.r).toBe('origin');
  });

  it('pushes the whole history in the first round even when a batch holds only keys adoption renamed', async () => {
    // The outbox noted each chat's per-user state under the device's own user id; adoption re-keys
    // those rows to the server's user and notes them again, so the first keys staged find no row.
    // With batches of two, a whole staged batch is such keys: the round must go on past it, not
    // take the empty batch for an empty outbox and leave the history for the next round.
    const bob = await team.addMember('bob');
    const desktop = await newDevice();
    try {
      await desktop.db.query(sql`
        INSERT INTO chat_sessions (id, owner_id, title)
        SELECT gen_random_uuid(), confab_device_user(), 'Small batches ' || n FROM generate_series(1, 4) n`);
      await desktop.db.query(sql`
        INSERT INTO messages (id, owner_id, session_id, role, content)
        SELECT gen_random_uuid(), s.owner_id, s.id, 'user', s.title FROM chat_sessions s`);
      const desktopLink = await link(bob.url);
      const round = await sync(desktop, desktopLink, { pushLimit: 2 });
      await desktopLink.end();
      const [left] = await desktop.db.query<{ n: number }>(
        sql`SELECT ((SELECT count(*) FROM sync_outbox) + (SELECT count(*) FROM sync_pending))::int AS n`,
      );
      expect(left!.n).toBe(0);
      const rows = await team.admin.query<{ chats: number; states: number; messages: number }>(
        `SELECT (SELECT count(*)::int FROM public.chat_sessions WHERE owner_id = $1) AS chats,
                (SELECT count(*)::int FROM public.session_user_state WHERE owner_id = $1) AS states,
                (SELECT count(*)::int FROM public.messages WHERE owner_id = $1) AS messages`,
        [bob.userId],
      );
      expect(rows.rows[0]).toEqual({ chats: 4, states: 4, messages: 4 });
      // 1 user, 4 chats, their 4 per-user states, 4 messages.
      expect(round.pushed).toBe(13);
    } finally {
      await desktop.close();
    }
  });
});
