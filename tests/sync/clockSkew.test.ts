/**
 * A device clock far ahead (SYNC.md: clock skew is judged by the server only). Its edits are
 * refused with clock_skew; the client winds its clock back to the server's time, re-stamps what
 * it stamped in the future, and the push goes through, so the next edit made anywhere else wins
 * as it should. Also: the measured offset moves this device's stamps (wall - offset).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/main/db/sql';
import { syncRound } from '../../src/main/db/sync/engine';
import { uuidv7 } from '../../src/shared/ids';
import { openTestDb, type TestDb } from '../helpers/engines';
import { testServers } from '../helpers/servers';
import {
  numbered,
  push,
  SCHEMA_VERSION,
  sessionRow,
  settled,
  startTeamServer,
  type Member,
  type TeamServer,
} from './helpers/team';

const servers = await testServers();
const DAY = 86_400_000;
const logicalMs = (hlc: string) => Number(hlc.slice(0, 15));

describe.each(servers)('a device clock a day ahead, on $name', ({ url }) => {
  let team: TeamServer;
  let member: Member;
  let device: TestDb;
  let link: pg.Client;
  beforeAll(async () => {
    team = await startTeamServer(url);
    member = await team.addMember('skew');
    device = await openTestDb('pglite');
    link = new pg.Client({ connectionString: member.url });
    await link.connect();
    await syncRound(device.db, link, { schemaVersion: SCHEMA_VERSION });
  }, 120_000);
  afterAll(async () => {
    await link?.end();
    await device?.close();
    await team?.close();
  });

  it('is corrected at the next round: re-stamped, taken by the server, and a later edit elsewhere wins', async () => {
    // The clock runs a day ahead (as after a wrong wall clock): every stamp lands in the future.
    await device.db.query(sql`SELECT setval('confab_hlc.clock',
      (floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint + ${DAY}) * 100000)`);
    const id = uuidv7();
    await device.db.query(
      sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${id}, confab_device_user(), 'Ahead')`,
    );
    const [stamped] = await device.db.query<{ h: string }>(
      sql`SELECT col_hlc ->> '_' AS h FROM chat_sessions WHERE id = ${id}`,
    );
    expect(logicalMs(stamped!.h)).toBeGreaterThan(Date.now() + DAY / 2);

    const round = await syncRound(device.db, link, { schemaVersion: SCHEMA_VERSION });
    expect(round.pushed).toBeGreaterThanOrEqual(1);
    const { rows } = await member.client.query<{ title: string; h: string }>(
      "SELECT title, col_hlc ->> '_' AS h FROM chat_sessions WHERE id = $1",
      [id],
    );
    expect(rows[0]?.title).toBe('Ahead');
    expect(logicalMs(rows[0]!.h)).toBeLessThan(Date.now() + 5 * 60_000);
    // The local clock is back near real time: a new local edit is stamped now, not tomorrow.
    await device.db.query(sql`UPDATE chat_sessions SET description = 'edited' WHERE id = ${id}`);
    const [after] = await device.db.query<{ h: string }>(
      sql`SELECT col_hlc ->> 'description' AS h FROM chat_sessions WHERE id = ${id}`,
    );
    expect(logicalMs(after!.h)).toBeLessThan(Date.now() + 5 * 60_000);
    await syncRound(device.db, link, { schemaVersion: SCHEMA_VERSION });

    // Another device of this user renames it now: that later edit wins here too.
    const later = sessionRow(member, { id, title: 'Later edit', description: 'edited' });
    expect(await push(member, numbered(member, [{ tbl: 'chat_sessions', row: later }]))).toMatchObject({
      status: 'ok',
    });
    await settled(member.client);
    await syncRound(device.db, link, { schemaVersion: SCHEMA_VERSION });
    const [local] = await device.db.query<{ title: string }>(sql`SELECT title FROM chat_sessions WHERE id = ${id}`);
    expect(local?.title).toBe('Later edit');
    expect((await device.db.query(sql`SELECT 1 FROM sync_pending`)).length).toBe(0);
  });

  it('stamps with wall time minus the measured offset, and a corrected clock leaves other devices’ stamps alone', async () => {
    await device.db.query(sql`SELECT confab_hlc_correct(${10 * 60_000})`);
    const [h] = await device.db.query<{ h: string }>(sql`SELECT confab_hlc_now() AS h`);
    // Ten minutes behind the wall (the device's clock was measured ten minutes ahead of the server).
    expect(logicalMs(h!.h)).toBeLessThan(Date.now() - 9 * 60_000);
    // Far ahead again, with a row another device stamped far ahead: only this device's own stamps move.
    await device.db.query(sql`SELECT confab_hlc_correct(0)`);
    await device.db.query(sql`SELECT setval('confab_hlc.clock',
      (floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint + ${DAY}) * 100000)`);
    const mine = uuidv7();
    await device.db.query(
      sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${mine}, confab_device_user(), 'Mine')`,
    );
    const theirs = uuidv7();
    const foreign = `${String(Date.now() + DAY).padStart(15, '0')}-00000-aaaaaaaaaaaaaaaa`;
    await device.db.transaction(async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      await tx.query(sql`INSERT INTO chat_sessions (id, owner_id, title, col_hlc)
                         VALUES (${theirs}, confab_device_user(), 'Theirs', ${JSON.stringify({ _: foreign })}::jsonb)`);
    });
    const [n] = await device.db.query<{ n: number }>(sql`SELECT confab_hlc_correct(0)::int AS n`);
    expect(n!.n).toBeGreaterThanOrEqual(1);
    const rows = await device.db.query<{ id: string; h: string }>(
      sql`SELECT id, col_hlc ->> '_' AS h FROM chat_sessions WHERE id IN (${mine}, ${theirs})`,
    );
    const byId = new Map(rows.map((r) => [r.id, r.h]));
    expect(logicalMs(byId.get(mine)!)).toBeLessThan(Date.now() + 60_000);
    expect(byId.get(theirs)).toBe(foreign);
    // Re-stamped rows wait in the outbox for the next push.
    const noted = await device.db.query(
      sql`SELECT 1 FROM sync_outbox WHERE tbl = 'chat_sessions' AND pk = ${JSON.stringify([mine])}::jsonb`,
    );
    expect(noted.length).toBe(1);
  });
});
