/**
 * SYNC.md: "A pulled row with unknown columns is parked and applied after the client's own
 * upgrade." A newer Confab migrated the server (a column this device lacks): the row's known
 * columns apply at once, the whole row waits in sync_parked, and once this device has the column
 * (its own upgrade) the next round merges it, so nothing the newer app wrote is lost.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/main/db/sql';
import { syncRound } from '../../src/main/db/sync/engine';
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

describe.each(servers)('a pulled row with a column this device does not have, on $name', ({ url }) => {
  let team: TeamServer;
  let member: Member;
  let device: TestDb;
  let link: pg.Client;
  beforeAll(async () => {
    team = await startTeamServer(url);
    member = await team.addMember('park');
    device = await openTestDb('pglite');
    link = new pg.Client({ connectionString: member.url });
    await link.connect();
  }, 120_000);
  afterAll(async () => {
    await link?.end();
    await device?.close();
    await team?.close();
  });

  it('applies what it knows, parks the row, and merges the rest after its own upgrade', async () => {
    await team.admin.query('ALTER TABLE public.chat_sessions ADD COLUMN colour text');
    const row = { ...sessionRow(member, { title: 'From a newer app' }), colour: 'teal' };
    expect(await push(member, numbered(member, [{ tbl: 'chat_sessions', row }]))).toMatchObject({ status: 'ok' });
    await settled(member.client);

    await syncRound(device.db, link, { schemaVersion: SCHEMA_VERSION });
    const [applied] = await device.db.query<{ title: string }>(
      sql`SELECT title FROM chat_sessions WHERE id = ${row.id}`,
    );
    expect(applied?.title).toBe('From a newer app');
    const parked = await device.db.query<{ body: Record<string, unknown> }>(
      sql`SELECT body FROM sync_parked WHERE tbl = 'chat_sessions' AND pk = ${JSON.stringify([row.id])}::jsonb`,
    );
    expect(parked[0]?.body.colour).toBe('teal');

    // This device's own upgrade brings the column; the next round merges the parked row.
    await device.db.exec('ALTER TABLE chat_sessions ADD COLUMN colour text');
    await syncRound(device.db, link, { schemaVersion: SCHEMA_VERSION });
    const [merged] = await device.db.query<{ colour: string | null }>(
      sql`SELECT colour FROM chat_sessions WHERE id = ${row.id}`,
    );
    expect(merged?.colour).toBe('teal');
    expect(await device.db.query(sql`SELECT 1 FROM sync_parked`)).toEqual([]);
  });
});
