import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../tests/helpers/engines';
import { sql } from './sql';
import { uuidv7 } from '@shared/ids';
import { listBranch } from './messages/repository';
import { createSession } from './sessions/repository';

describe('text comes back from PGlite byte-exact', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb('pglite');
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps a leading U+FEFF in a text column and in a jsonb string', async () => {
    const rows = await t.db.query<{ t: string; j: { a: string } }>(
      sql`SELECT ${'\uFEFFhello'}::text AS t, ${JSON.stringify({ a: '\uFEFFx' })}::jsonb AS j`,
    );
    expect(rows[0]!.t).toBe('\uFEFFhello');
    expect(rows[0]!.j.a).toBe('\uFEFFx');
  });

  it('returns a message that starts with a BOM as it was written, through the branch reader', async () => {
    const ctx = { db: t.db, ownerId: t.ownerId };
    const session = await createSession(ctx, { title: 'BOM' });
    const id = uuidv7();
    await t.db.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content)
                         VALUES (${id}, ${t.ownerId}, ${session.id}, 'user', ${'\uFEFF# heading'})`);
    const page = await listBranch(ctx, { sessionId: session.id, leafId: id, limit: 10 });
    expect(page.items.map((m) => m.content)).toEqual(['\uFEFF# heading']);
  });

  it('leaves decoders made with explicit options alone', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61]);
    expect(new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes)).toBe('a');
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toBe('\uFEFFa');
  });
});
