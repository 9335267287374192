import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import { appendMessage } from '../messages/repository';
import { searchInSession } from './repository';
import { createSession, setCurrentLeaf } from '../sessions/repository';

/** The marked parts of a snippet, lowercased. */
function marked(snippet: string): string[] {
  return [...snippet.matchAll(/\u0002([^\u0002\u0003]*)\u0003/g)].map((m) => m[1]!.toLowerCase());
}

describe.each(ENGINES)('searchInSession on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  let sessionId: string;
  const m: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
    const s = await createSession(ctx, { title: 'find me' });
    sessionId = s.id;
    const add = async (key: string, content: string, parentId?: string | null) => {
      const role = key.startsWith('u') ? 'user' : 'assistant';
      m[key] = (
        await appendMessage(ctx, { sessionId, role, content, ...(parentId !== undefined ? { parentId } : {}) })
      ).id;
    };
    await add('u1', 'How do I keep my notes synced between devices?');
    await add('a1', 'Turn on sync. The walrus handles it.');
    await add('u2', 'And the walrus again, please.');
    await add('a2', `${'filler text here. '.repeat(100)}A walrus sits deep in a long reply.`);
    await add('u3', 'Nothing to see; 数据库 only.');
    // A sibling of a2 (a regenerated answer) that is not on the current branch.
    await add('a2b', 'The walrus on the other branch.', m.u2!);
    await setCurrentLeaf(ctx, sessionId, m.u3!);
    // Another chat with the same word.
    const other = await createSession(ctx, { title: 'other' });
    await appendMessage(ctx, { sessionId: other.id, role: 'user', content: 'walrus elsewhere' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const find = (q: string, limit = 500) => searchInSession(ctx, { sessionId, q, limit });

  it('lists hits on the current branch only, in branch order, with the hit marked', async () => {
    const r = await find('walrus');
    expect(r.hits.map((h) => h.messageId)).toEqual([m.a1, m.u2, m.a2]);
    expect(r.truncated).toBe(false);
    for (const h of r.hits) expect(marked(h.snippet)).toEqual(['walrus']);
    // A hit deep in a long message is cut around the hit, not the message's start.
    const deep = r.hits[2]!;
    expect(deep.snippet.length).toBeLessThan(260);
    expect(deep.snippet).toContain('sits deep');
    expect(r.hits[0]).toMatchObject({ role: 'assistant' });
    expect(Number.isNaN(Date.parse(r.hits[0]!.createdAt))).toBe(false);
  });

  it('follows the current branch when it changes', async () => {
    await setCurrentLeaf(ctx, sessionId, m.a2b!);
    try {
      expect((await find('walrus')).hits.map((h) => h.messageId)).toEqual([m.a1, m.u2, m.a2b]);
    } finally {
      await setCurrentLeaf(ctx, sessionId, m.u3!);
    }
  });

  it('stems, matches a prefix while typing, and finds substrings in any script', async () => {
    const stem = await find('syncing');
    expect(stem.hits.map((h) => h.messageId)).toEqual([m.u1, m.a1]);
    expect(marked(stem.hits[0]!.snippet)).toEqual(['sync']);
    expect((await find('walr')).hits.map((h) => h.messageId)).toEqual([m.a1, m.u2, m.a2]);
    const cjk = await find('数据库');
    expect(cjk.hits.map((h) => h.messageId)).toEqual([m.u3]);
    expect(marked(cjk.hits[0]!.snippet)).toEqual(['数据库']);
  });

  it('caps the hits and says so, and returns nothing for an empty query or an empty chat', async () => {
    const capped = await find('walrus', 2);
    expect(capped.hits.map((h) => h.messageId)).toEqual([m.a1, m.u2]);
    expect(capped.truncated).toBe(true);
    expect((await find('   ')).hits).toEqual([]);
    expect((await find('zzzqqq')).hits).toEqual([]);
    const empty = await createSession(ctx, { title: 'empty' });
    expect((await searchInSession(ctx, { sessionId: empty.id, q: 'walrus', limit: 10 })).hits).toEqual([]);
  });

  it('skips deleted messages and treats hostile text as text', async () => {
    await t.db.query(sql`UPDATE messages SET deleted_at = now() WHERE id = ${m.u2!}`);
    try {
      expect((await find('walrus')).hits.map((h) => h.messageId)).toEqual([m.a1, m.a2]);
    } finally {
      await t.db.query(sql`UPDATE messages SET deleted_at = NULL WHERE id = ${m.u2!}`);
    }
    for (const q of ["'); DROP TABLE messages; --", '%%%', '\\', ':* & |', '"unbalanced', '\u0000\u0002']) {
      const r = await find(q);
      expect(Array.isArray(r.hits)).toBe(true);
    }
    const count = await t.db.query<{ n: unknown }>(sql`SELECT count(*) AS n FROM messages`);
    expect(Number(count[0]!.n)).toBeGreaterThan(5);
  });
});
