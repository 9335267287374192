import { uuidv7 } from '@shared/ids';
import type { Db } from '../database';
import { sql } from '../sql';

/** The local user is made on first run; its id owns every row this device creates. */
export async function ensureLocalUser(db: Db, displayName = 'Me'): Promise<string> {
  const existing = await db.query<{ id: string }>(
    sql`SELECT id FROM users WHERE is_local AND deleted_at IS NULL ORDER BY created_at LIMIT 1`,
  );
  if (existing[0]) return existing[0].id;
  const id = uuidv7();
  await db.query(sql`INSERT INTO users (id, owner_id, display_name, is_local) VALUES (${id}, ${id}, ${displayName}, true)`);
  return id;
}
