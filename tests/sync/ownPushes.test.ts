/**
 * A device's first sync does not pull its own history back (server migration 0012): the rows its
 * pushes inserted come back body-less to it alone, told by the xids of its acknowledged pushes.
 * Every other reader, a copied data folder with the same client id included, gets the bodies,
 * and a row written again by anyone comes back whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directLocalSide } from '../../src/main/db/sync/local';
import { sql } from '../../src/main/db/sql';
import { runRound, type LocalSide, type PulledBatch } from '../../src/shared/sync/round';
import { testServers } from '../helpers/servers';
import { cloneDevice, link, newDevice, sync, writeChat, type Device } from './helpers/devices';
import { SCHEMA_VERSION, settled, startTeamServer, type Member, type TeamServer } from './helpers/team';

const servers = await testServers();

/** A sync round that records the message bodies each applied pull batch brought. */
async function syncCountingBodies(device: Device, server: Parameters<typeof runRound>[1]) {
  const side = directLocalSide(device.db);
  const bodies: string[] = [];
  const counting: LocalSide = {
    ...side,
    // Each pull waits for the cluster-wide horizon to pass what was committed before it (the
    // round's own pushes included): another test file's open transaction on the same server would
    // otherwise hold part of this round's changes back for the next round, which the assertions
    // below would read as the skip failing.
    readState: async () => {
      await settled(server);
      return side.readState();
    },
    applyBatch: async (batch: PulledBatch) => {
      for (const c of batch.changes) {
        if (c.tbl !== 'messages' || !c.body) continue;
        // The round hands the rows on as the server's JSON text.
        expect(typeof c.body).toBe('string');
        bodies.push(String((JSON.parse(c.body as string) as { id: unknown }).id));
      }
      return side.applyBatch(batch);
    },
  };
  const round = await runRound(counting, server, { schemaVersion: SCHEMA_VERSION, pushLimit: 7, pullLimit: 9 });
  return { round, bodies };
}

const messageIds = async (device: Device) =>
  (await device.db.query<{ id: string }>(sql`SELECT id::text FROM messages ORDER BY id`)).map((r) => r.id);

describe.each(servers)('pulling back what one pushed on $name', ({ url }) => {
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

  it('skips the bodies of its own inserted rows, which every other reader still gets', async () => {
    await writeChat(laptop, 'Mine', 20);
    const laptopLink = await link(ada.url);
    // Small batches: several pushes, several xids, pulls that cross them.
    const first = await syncCountingBodies(laptop, laptopLink);
    expect(first.round.pushed).toBeGreaterThan(20);
    expect(first.bodies).toEqual([]);
    // The cursor went past them: the next round pulls nothing.
    const again = await syncCountingBodies(laptop, laptopLink);
    expect(again.round.pulled).toBe(0);

    // A copy of the data folder (same client id) made now, then more written on the original.
    const copy = await cloneDevice(laptop);
    try {
      await writeChat(laptop, 'After the copy', 5);
      const second = await syncCountingBodies(laptop, laptopLink);
      expect(second.bodies).toEqual([]);
      const copyLink = await link(ada.url);
      const copied = await syncCountingBodies(copy, copyLink);
      await copyLink.end();
      // The copy shares the client id but not the pushes: it gets all five new messages whole.
      expect(copied.bodies).toHaveLength(5);
      expect(await messageIds(copy)).toEqual(await messageIds(laptop));
    } finally {
      await copy.close();
    }

    // Another device gets everything, and its edit of one of the laptop's rows comes back whole.
    const desktop = await newDevice();
    try {
      const desktopLink = await link(ada.url);
      const fresh = await syncCountingBodies(desktop, desktopLink);
      expect(fresh.bodies).toHaveLength(25);
      await desktop.db.query(sql`UPDATE messages SET status = 'error' WHERE content = 'Mine 3'`);
      await sync(desktop, desktopLink);
      await desktopLink.end();
      const edited = await syncCountingBodies(laptop, laptopLink);
      expect(edited.bodies).toHaveLength(1);
      const [row] = await laptop.db.query<{ status: string }>(
        sql`SELECT status FROM messages WHERE content = 'Mine 3'`,
      );
      expect(row!.status).toBe('error');
    } finally {
      await desktop.close();
    }
    await laptopLink.end();
  });
});
