/**
 * Search as it is typed and paged (issue 11 #16, #27): a phrase still being typed is not a search
 * for its quote, a substring the trigram index cannot narrow reads a bounded window of newest
 * messages, and `offset` pages through the message hits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import type { RepoContext } from '../context';
import { appendMessage } from '../messages/repository';
import { createSession } from '../sessions/repository';
import { parseSearchQuery, searchMessages } from './repository';

describe('parseSearchQuery while a phrase is typed', () => {
  it('leaves the opening quote out of the words and the substring', () => {
    expect(parseSearchQuery('"')).toBeNull();
    // "in" alone: a stopword and too short for a substring; no search for a quote and "in".
    expect(parseSearchQuery('"in')).toMatchObject({ needle: 'in', likePattern: null, tsquery: "'in':*" });
    expect(parseSearchQuery('"interest r')).toMatchObject({
      needle: 'interest r',
      likePattern: '%interest r%',
      tsquery: "'interest' & 'r':*",
      likeIndexed: true,
    });
    expect(parseSearchQuery('"interest rate"')).toMatchObject({ tsquery: "'interest' <-> 'rate'", needle: 'interest rate' });
  });

  it('says whether the trigram index can narrow the substring', () => {
    expect(parseSearchQuery('post')?.likeIndexed).toBe(true);
    expect(parseSearchQuery('数据库')?.likeIndexed).toBe(true);
    expect(parseSearchQuery('a_b')?.likeIndexed).toBe(false);
    expect(parseSearchQuery('😀😀😀')?.likeIndexed).toBe(false);
    expect(parseSearchQuery('1.5%')?.likeIndexed).toBe(false);
  });
});

describe.each(ENGINES)('searchMessages paging and bounds on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
    const s = await createSession(ctx, { title: 'Rates' });
    // The oldest message has the unindexable needle; 30 newer ones mention the interest rate.
    ids.push((await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'Old note: ~~~ marks the spot.' })).id);
    for (let i = 0; i < 30; i++) {
      const content = `Note ${i}: the interest rate moved again.`;
      ids.push((await appendMessage(ctx, { sessionId: s.id, role: 'user', content })).id);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('pages through message hits with offset, without repeats; title hits come on the first page only', async () => {
    const page = (offset: number) => searchMessages(ctx, { q: 'interest rate', view: 'all', limit: 12, offset });
    const first = await page(0);
    const second = await page(12);
    const third = await page(24);
    const messageIds = (hits: typeof first.hits) => hits.filter((h) => h.kind === 'message').map((h) => h.messageId);
    expect(messageIds(first.hits)).toHaveLength(12);
    expect(messageIds(second.hits)).toHaveLength(12);
    expect(messageIds(third.hits)).toHaveLength(6);
    const all = [...messageIds(first.hits), ...messageIds(second.hits), ...messageIds(third.hits)];
    expect(new Set(all).size).toBe(30);
    expect(new Set(all)).toEqual(new Set(ids.slice(1)));
    expect(second.hits.some((h) => h.kind === 'session')).toBe(false);
    expect((await searchMessages(ctx, { q: 'rates', view: 'all', limit: 12 })).hits[0]?.kind).toBe('session');
  });

  it('looks for an unindexable substring only in the newest messages of the window', async () => {
    const found = (window: number) =>
      searchMessages(ctx, { q: '~~~', view: 'all', limit: 12 }, { unindexedWindow: window }).then((r) =>
        r.hits.filter((h) => h.kind === 'message').map((h) => h.messageId),
      );
    expect(await found(100)).toEqual([ids[0]]);
    // A window of the 10 newest messages does not reach the oldest one.
    expect(await found(10)).toEqual([]);
  });
});
