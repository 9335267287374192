/**
 * A first sync of a long history (issue 13, during the initial pull): the most recent chats come
 * whole before the backlog, which the change index gives oldest first, so the top of a new
 * device's sidebar opens in seconds; the backlog then brings everything, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directLocalSide } from '../../src/main/db/sync/local';
import { sql } from '../../src/main/db/sql';
import { RECENT_CHATS_FIRST, runRound, type LocalSide } from '../../src/shared/sync/round';
import { testServers } from '../helpers/servers';
import { link, newDevice, sync, type Device } from './helpers/devices';
import { SCHEMA_VERSION, settled, startTeamServer, type Member, type TeamServer } from './helpers/team';

const servers = await testServers();
const CHATS = 40;
const PER_CHAT = 6;

/** Chat n's messages are n hours newer than chat 0's: the last chats are the most recent. */
async function writeHistory(device: Device): Promise<void> {
  await device.db.query(sql`
    INSERT INTO chat_sessions (id, owner_id, title, created_at, updated_at)
    SELECT gen_random_uuid(), confab_device_user(), 'History ' || lpad(n::text, 2, '0'),
           now() - interval '1 hour' * (${CHATS} - n) - interval '1 minute', now() - interval '1 hour' * (${CHATS} - n)
      FROM generate_series(0, ${CHATS - 1}) n`);
  await device.db.query(sql`
    INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content, created_at)
    SELECT md5(s.id::text || g)::uuid, s.owner_id, s.id, CASE WHEN g > 1 THEN md5(s.id::text || (g - 1))::uuid END,
           g - 1, CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END, s.title || ', message ' || g,
           now() - interval '1 hour' * (${CHATS} - substr(s.title, 9)::int) + interval '1 second' * g
      FROM chat_sessions s, generate_series(1, ${PER_CHAT}) g`);
}

describe.each(servers)('a first sync on $name', ({ url }) => {
  let team: TeamServer;
  let ada: Member;
  let laptop: Device;
  let desktop: Device;
  beforeAll(async () => {
    team = await startTeamServer(url);
    ada = await team.addMember('ada');
    laptop = await newDevice();
    desktop = await newDevice();
  });
  afterAll(async () => {
    await laptop?.close();
    await desktop?.close();
    await team?.close();
  });

  it('brings the most recent chats whole before the oldest-first backlog, then everything once', async () => {
    await writeHistory(laptop);
    const laptopLink = await link(ada.url);
    await sync(laptop, laptopLink);
    await laptopLink.end();

    // What the desktop holds when the first batch of the backlog arrives.
    const chatsAtFirstBatch: { title: string; messages: number }[] = [];
    const side = directLocalSide(desktop.db);
    const watching: LocalSide = {
      ...side,
      async applyBatch(batch) {
        if (batch.changes.length > 0 && chatsAtFirstBatch.length === 0) {
          chatsAtFirstBatch.push(
            ...(await desktop.db.query<{ title: string; messages: number }>(
              sql`SELECT title, message_count AS messages FROM chat_sessions ORDER BY title`,
            )),
          );
        }
        return side.applyBatch(batch);
      },
    };
    const desktopLink = await link(ada.url);
    try {
      // The pull horizon is cluster-wide: another test file's open transaction on the same server
      // would hold the laptop's push back, and the first pull would see too little to count as a
      // long backlog (seen once in a full run on PostgreSQL 18).
      await settled(desktopLink);
      await runRound(watching, desktopLink, { schemaVersion: SCHEMA_VERSION, pullLimit: 40 });
    } finally {
      await desktopLink.end();
    }

    const recent = Array.from({ length: RECENT_CHATS_FIRST }, (_, i) => CHATS - RECENT_CHATS_FIRST + i).map((n) => ({
      title: `History ${String(n).padStart(2, '0')}`,
      messages: PER_CHAT,
    }));
    expect(chatsAtFirstBatch).toEqual(recent);
    const all = await desktop.db.query<{ chats: number; messages: number; depths: number }>(sql`
      SELECT (SELECT count(*)::int FROM chat_sessions) AS chats, (SELECT count(*)::int FROM messages) AS messages,
             (SELECT count(*)::int FROM messages WHERE depth <> (substring(content from '(\\d+)$')::int - 1)) AS depths`);
    expect(all).toEqual([{ chats: CHATS, messages: CHATS * PER_CHAT, depths: 0 }]);
    // The sidebar's order is the chats' own (their newest message), not the order they arrived in.
    const order = await desktop.db.query<{ title: string }>(
      sql`SELECT title FROM chat_sessions ORDER BY last_activity_at DESC, id DESC LIMIT 3`,
    );
    expect(order.map((r) => r.title)).toEqual(['History 39', 'History 38', 'History 37']);
    // Each chat counted its messages once, although the recent ones arrived twice.
    const counts = await desktop.db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM chat_sessions WHERE message_count <> ${PER_CHAT}`,
    );
    expect(counts).toEqual([{ n: 0 }]);
  });
});
