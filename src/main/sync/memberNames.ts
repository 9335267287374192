/**
 * Teammates' display names for the Team list. A device never pulls another member's users row
 * (row-level security keeps users to their owner), so names come from the server's team_members
 * view, kept in memory here. The list never waits long for them: a stale cache is refreshed in
 * the background, and only the very first list waits a moment; until then an author shows as
 * "A teammate".
 */
import type { WithServer } from './teamServer';

const FRESH_FOR_MS = 60_000;
const FIRST_WAIT_MS = 2_000;

export class MemberNames {
  private names = new Map<string, string>();
  private fetchedAt = 0;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly withServer: WithServer,
    private readonly now: () => number = Date.now,
  ) {}

  /** Names by user id, as fresh as a short wait allows. */
  async current(): Promise<ReadonlyMap<string, string>> {
    if (this.now() - this.fetchedAt > FRESH_FOR_MS) {
      const refresh = this.refresh();
      if (this.fetchedAt === 0) {
        await Promise.race([refresh, new Promise((resolve) => setTimeout(resolve, FIRST_WAIT_MS).unref?.())]);
      }
    }
    return this.names;
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.withServer(async (client) => {
      const { rows } = await client.query<{ user_id: string; display_name: string }>(
        'SELECT user_id::text, display_name FROM sync.team_members',
      );
      this.names = new Map(rows.filter((r) => r.display_name).map((r) => [r.user_id, r.display_name]));
      this.fetchedAt = this.now();
    })
      // Offline or not connected: the names known so far stay; the next list tries again.
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }
}
