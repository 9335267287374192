import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUuid } from '@shared/ids';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import { ensureLocalUser } from './repository';

describe.each(ENGINES)('users on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates the local user once and returns the same id after', async () => {
    expect(isUuid(t.ownerId)).toBe(true);
    expect(await ensureLocalUser(t.db)).toBe(t.ownerId);
    expect(await ensureLocalUser(t.db, 'Someone else')).toBe(t.ownerId);
    const rows = await t.db.query<{ id: string; owner_id: string; is_local: boolean; display_name: string }>(
      sql`SELECT id, owner_id, is_local, display_name FROM users`,
    );
    expect(rows).toEqual([{ id: t.ownerId, owner_id: t.ownerId, is_local: true, display_name: 'Me' }]);
  });

  it('makes a new local user when the old one was deleted, and ignores remote users', async () => {
    const remote = '01900000-0000-7000-8000-00000000aaaa';
    await t.db.query(
      sql`INSERT INTO users (id, owner_id, display_name, is_local, created_at) VALUES (${remote}, ${remote}, 'Teammate', false, '2000-01-01T00:00:00Z')`,
    );
    expect(await ensureLocalUser(t.db)).toBe(t.ownerId);
    await t.db.query(sql`UPDATE users SET deleted_at = now() WHERE id = ${t.ownerId}`);
    const fresh = await ensureLocalUser(t.db, 'New me');
    expect(fresh).not.toBe(t.ownerId);
    expect(fresh).not.toBe(remote);
    expect(await ensureLocalUser(t.db)).toBe(fresh);
  });
});
