/**
 * A device's first sync does not pull its own history back (server migration 0012): the rows its
 * pushes inserted come back body-less to it alone, told by the xids of its acknowledged pushes.
 * Every other reader, a copied data folder with the same client id included, gets the bodies,
 * and a row written again by anyone comes back whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directLocalSide } from '../../src/main/db/sync/local';
import { sql } from '../../src/main/db/sql';
import { CURSOR_ONLY_BATCHES_PER_CALL, runRound, type LocalSide, type PulledBatch } from '../../src/shared/sync/round';
import { testServers } from '../helpers/servers';
import { cloneDevice, link, newDevice, sync, writeChat, type Device } from './helpers/devices';
import { SCHEMA_VERSION, settled, startTeamServer, type Member, type TeamServer } from './helpers/team';

const servers = await testServers();

/** A sync round that records the message bodies each applied pull batch brought. */
async function syncCountingBodies(device: Device, server: Parameters<typeof runRound>[1], pullLimit = 9) {
  const side = directLocalSide(device.db);
  const bodies: string[] = [];
  // The number of changes each applyBatch call was given (0: rows fetched whole, no changes), and
  // the calls whose changes all came without a row (those only move the cursor).
  const applied: number[] = [];
  let cursorOnlyCalls = 0;
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
      applied.push(batch.changes.length);
      if (batch.changes.length > 0 && batch.changes.every((c) => c.body == null)) cursorOnlyCalls += 1;
      for (const c of batch.changes) {
        if (c.tbl !== 'messages' || !c.body) continue;
        // The round hands the rows on as the server's JSON text.
        expect(typeof c.body).toBe('string');
        bodies.push(String((JSON.parse(c.body as string) as { id: unknown }).id));
      }
      return side.applyBatch(batch);
    },
  };
  const round = await runRound(counting, server, { schemaVersion: SCHEMA_VERSION, pushLimit: 7, pullLimit });
  return { round, bodies, applied, cursorOnlyCalls: () => cursorOnlyCalls };
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
    // They came back in several batches of 9 that only move the cursor: passed, and the cursor
    // recorded once, by one call with the last of them.
    expect(first.round.pulled).toBeGreaterThan(2 * 9);
    expect(first.applied.filter((n) => n > 0)).toEqual([1]);
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

  it('records the cursor every CURSOR_ONLY_BATCHES_PER_CALL cursor-only batches, and once at the end', async () => {
    const eve = await team.addMember('eve');
    const tablet = await newDevice();
    try {
      await writeChat(tablet, 'Tablet', 45);
      const tabletLink = await link(eve.url);
      // One change a batch: every one of the tablet's own rows comes back as a batch of its own.
      const first = await syncCountingBodies(tablet, tabletLink, 1);
      expect(first.bodies).toEqual([]);
      expect(first.round.pulled).toBeGreaterThan(2 * CURSOR_ONLY_BATCHES_PER_CALL);
      expect(first.cursorOnlyCalls()).toBe(Math.ceil(first.round.pulled / CURSOR_ONLY_BATCHES_PER_CALL));
      const again = await syncCountingBodies(tablet, tabletLink, 1);
      expect(again.round.pulled).toBe(0);
      await tabletLink.end();
    } finally {
      await tablet.close();
    }
  });
});
