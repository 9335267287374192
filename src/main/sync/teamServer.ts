/**
 * The two team questions only the server can answer (issue 14): who a shared chat is visible to,
 * and usage per member. Both run on a connection the sync service lends (`WithServer`), as the
 * member's own login role, so row-level security and the server's functions decide what is seen.
 */
import type pg from 'pg';
import type { SyncMember, TeamUsage, TeamUsageRow } from '@shared/types';

/**
 * Lends a connected client to the team server for the length of `fn`; throws a ConfabError with
 * a sentence when this device is not connected or the server cannot be reached.
 */
export type WithServer = <T>(fn: (client: pg.ClientBase) => Promise<T>) => Promise<T>;

/** The owner's teammates (the owner left out), by name. */
export async function teamMembersOf(withServer: WithServer, ownerId: string): Promise<SyncMember[]> {
  return withServer(async (client) => {
    const { rows } = await client.query<{ user_id: string; display_name: string }>(
      `SELECT user_id::text, display_name FROM sync.team_members
        WHERE team_id = sync.team_of($1::uuid) AND user_id <> $1::uuid
        ORDER BY display_name, user_id`,
      [ownerId],
    );
    return rows.map((r) => ({ userId: r.user_id, name: r.display_name }));
  });
}

interface TeamUsageJson {
  enabled: boolean;
  rows: {
    user_id: string;
    name: string;
    requests: number;
    tokens_in: number;
    tokens_out: number;
    cost_usd: number | null;
  }[];
}

/** Usage per member over [from, to), or enabled=false when the admin did not turn team usage on. */
export async function teamUsageOver(withServer: WithServer, from: string, to: string): Promise<TeamUsage> {
  return withServer(async (client) => {
    const { rows } = await client.query<{ usage: TeamUsageJson }>(
      'SELECT sync.team_usage($1::timestamptz, $2::timestamptz) AS usage',
      [from, to],
    );
    const usage = rows[0]?.usage;
    if (!usage?.enabled) return { enabled: false, rows: [] };
    return {
      enabled: true,
      rows: usage.rows.map((r): TeamUsageRow => ({
        userId: r.user_id,
        name: r.name,
        requests: Number(r.requests),
        tokensIn: Number(r.tokens_in),
        tokensOut: Number(r.tokens_out),
        costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
      })),
    };
  });
}
