import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSummary, SessionView } from '@shared/types';
import { expectConfabError } from '../../../../tests/helpers/confabError';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { encodeCursor } from '../rows';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import { appendMessage } from '../messages/repository';
import { recordRun } from '../usage/runs';
import {
  createSession,
  emptyTrash,
  getSession,
  listSessions,
  listTags,
  purgeSession,
  renameSession,
  restoreSession,
  setArchived,
  setCurrentLeaf,
  setPinned,
  trashSession,
  updateSession,
} from './repository';

let tagSeq = 0;
/** A tag no other test uses, so a tag-filtered listing sees only this test's sessions. */
const uniqueTag = (name: string) => `${name}-${Date.now().toString(36)}-${(tagSeq += 1)}`;

async function listAll(ctx: RepoContext, view: SessionView, tag: string, limit: number): Promise<SessionSummary[][]> {
  const pages: SessionSummary[][] = [];
  let cursor: string | null = null;
  do {
    const page = await listSessions(ctx, { view, tag, limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 100) throw new Error('pagination does not terminate');
  } while (cursor);
  return pages;
}

describe.each(ENGINES)('sessions on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  const setActivity = (id: string, at: string) =>
    t.db.query(sql`UPDATE chat_sessions SET last_activity_at = ${at}::timestamptz WHERE id = ${id}`);

  it('keeps message counters and restores exactly what trash removed', async () => {
    const s = await createSession(ctx, { title: 'Trip' });
    await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'hi' });
    await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: 'hello' });
    expect((await getSession(ctx, s.id)).messageCount).toBe(2);
    await trashSession(ctx, s.id);
    expect((await getSession(ctx, s.id)).messageCount).toBe(0);
    const restored = await restoreSession(ctx, s.id);
    expect(restored.deletedAt).toBeNull();
    expect((await getSession(ctx, s.id)).messageCount).toBe(2);
    await setPinned(ctx, s.id, true);
    const page = await listSessions(ctx, { view: 'active', limit: 10 });
    expect(page.items[0]?.id).toBe(s.id);
    expect(page.items[0]?.lastMessagePreview).toBe('hello');
    await setPinned(ctx, s.id, false);
  });

  it('creates with defaults, trimmed title and normalised tags, and reads it back', async () => {
    const s = await createSession(ctx, {
      title: '  Planning  ',
      tags: [' Work', 'work ', 'ALPHA', '', '  ', 'beta'],
      providerId: 'openai',
      model: 'gpt-x',
      systemPrompt: 'Be brief.',
    });
    expect(s).toMatchObject({
      ownerId: t.ownerId,
      title: 'Planning',
      tags: ['alpha', 'beta', 'work'],
      status: 'active',
      pinned: false,
      visibility: 'private',
      providerId: 'openai',
      model: 'gpt-x',
      systemPrompt: 'Be brief.',
      settings: {},
      messageCount: 0,
      tokensIn: 0,
      tokensOut: 0,
      lastMessageAt: null,
      currentLeafId: null,
      deletedAt: null,
    });
    expect(typeof s.createdAt).toBe('string');
    expect(Number.isNaN(Date.parse(s.lastActivityAt))).toBe(false);
    const got = await getSession(ctx, s.id);
    expect(got).toMatchObject({ id: s.id, title: 'Planning', tags: ['alpha', 'beta', 'work'] });
    expect(got.lastMessagePreview).toBeNull();
    expect(got.lastMessageRole).toBeNull();
    await expectConfabError(getSession(ctx, '01900000-0000-7000-8000-000000000000'), 'not_found');
  });

  it('renames (trimmed) and updates only the given fields', async () => {
    const s = await createSession(ctx, { title: 'Old', tags: ['x'], model: 'm1' });
    const renamed = await renameSession(ctx, s.id, '  New name ');
    expect(renamed.title).toBe('New name');
    const before = await getSession(ctx, s.id);

    const updated = await updateSession(ctx, {
      id: s.id,
      description: 'about things',
      tags: ['Zed', ' alpha ', 'zed', 'ALPHA'],
      settings: { temperature: 0.2, nested: { a: [1, 'two', null] } },
    });
    expect(updated.description).toBe('about things');
    expect(updated.tags).toEqual(['alpha', 'zed']);
    expect(updated.settings).toEqual({ temperature: 0.2, nested: { a: [1, 'two', null] } });
    expect(updated.model).toBe('m1');
    expect(updated.title).toBe('New name');
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt));

    const cleared = await updateSession(ctx, { id: s.id, model: null, providerId: null, systemPrompt: '' });
    expect(cleared.model).toBeNull();
    expect(cleared.tags).toEqual(['alpha', 'zed']);

    const noop = await updateSession(ctx, { id: s.id });
    expect(noop.id).toBe(s.id);
    expect(noop.description).toBe('about things');

    await expectConfabError(renameSession(ctx, '01900000-0000-7000-8000-000000000001', 'x'), 'not_found');
    await expectConfabError(
      updateSession(ctx, { id: '01900000-0000-7000-8000-000000000001', description: 'x' }),
      'not_found',
    );
  });

  it('stores text and settings PostgreSQL cannot hold (NUL, unpaired surrogates) as U+FFFD', async () => {
    const s = await createSession(ctx, { title: 'a\u0000b', systemPrompt: 'p\u0000', tags: ['t\u0000'] });
    expect(s.title).toBe('a\uFFFDb');
    expect(s.systemPrompt).toBe('p\uFFFD');
    expect(s.tags).toEqual(['t\uFFFD']);
    expect((await renameSession(ctx, s.id, ' x\u0000 ')).title).toBe('x\uFFFD');
    const u = await updateSession(ctx, {
      id: s.id,
      description: 'd\u0000',
      systemPrompt: '\u0000',
      settings: { note: 'n\u0000\uD800' },
    });
    expect(u).toMatchObject({ description: 'd\uFFFD', systemPrompt: '\uFFFD', settings: { note: 'n\uFFFD\uFFFD' } });
  });

  it('pages the sidebar by keyset with no duplicates or skips: pinned first, newest activity first', async () => {
    const tag = uniqueTag('page');
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push((await createSession(ctx, { title: `S${i}`, tags: [tag] })).id);
    // Distinct activity for most; a block of ties in the same microsecond; and neighbours that
    // differ only by microseconds inside one millisecond (a millisecond cursor would lose them).
    const activity = new Map<string, string>();
    created.forEach((id, i) => {
      let at: string;
      if (i < 10) at = `2026-02-01T10:00:${String(10 + i).padStart(2, '0')}.000000Z`;
      else if (i < 18) at = '2026-02-01T09:00:00.123456Z';
      else at = `2026-02-01T08:00:00.123${String(i).padStart(3, '0')}Z`;
      activity.set(id, at);
    });
    for (const [id, at] of activity) await setActivity(id, at);
    const pinned = [created[3]!, created[12]!, created[20]!];
    for (const id of pinned) await setPinned(ctx, id, true);

    const micros = (at: string) => at; // ISO strings with fixed width sort like the instants
    const expected = [...created].sort((a, b) => {
      const pa = pinned.includes(a) ? 1 : 0;
      const pb = pinned.includes(b) ? 1 : 0;
      if (pa !== pb) return pb - pa;
      const ta = micros(activity.get(a)!);
      const tb = micros(activity.get(b)!);
      if (ta !== tb) return ta < tb ? 1 : -1;
      return a < b ? 1 : -1;
    });

    const pages = await listAll(ctx, 'active', tag, 10);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    const ids = pages.flat().map((s) => s.id);
    expect(new Set(ids).size).toBe(25);
    expect(ids).toEqual(expected);
    expect(pages[0]!.slice(0, 3).every((s) => s.pinned)).toBe(true);

    // Page sizes that divide the total exactly end without an empty trailing page.
    const fives = await listAll(ctx, 'active', tag, 5);
    expect(fives.map((p) => p.length)).toEqual([5, 5, 5, 5, 5]);
    expect(fives.flat().map((s) => s.id)).toEqual(expected);
    const ones = await listAll(ctx, 'active', tag, 1);
    expect(ones.flat().map((s) => s.id)).toEqual(expected);
  });

  it('orders by new message activity, and shows the newest visible message as preview', async () => {
    const tag = uniqueTag('activity');
    const a = await createSession(ctx, { title: 'A', tags: [tag] });
    const b = await createSession(ctx, { title: 'B', tags: [tag] });
    await setActivity(a.id, '2020-01-01T00:00:00Z');
    await setActivity(b.id, '2020-01-02T00:00:00Z');
    expect((await listSessions(ctx, { view: 'active', tag, limit: 10 })).items.map((s) => s.id)).toEqual([b.id, a.id]);
    await appendMessage(ctx, { sessionId: a.id, role: 'user', content: 'first' });
    await appendMessage(ctx, { sessionId: a.id, role: 'assistant', content: 'x'.repeat(300) });
    const items = (await listSessions(ctx, { view: 'active', tag, limit: 10 })).items;
    expect(items.map((s) => s.id)).toEqual([a.id, b.id]);
    expect(items[0]!.lastMessagePreview).toBe('x'.repeat(200));
    expect(items[0]!.lastMessageRole).toBe('assistant');
    expect(items[0]!.messageCount).toBe(2);
    expect(items[1]!.lastMessagePreview).toBeNull();
  });

  it('filters by view and by tag (case-insensitive), and archives and unarchives', async () => {
    const tag = uniqueTag('View');
    const other = uniqueTag('other');
    const live = await createSession(ctx, { title: 'live', tags: [tag] });
    const arch = await createSession(ctx, { title: 'arch', tags: [tag, other] });
    const gone = await createSession(ctx, { title: 'gone', tags: [tag] });
    await setArchived(ctx, arch.id, true);
    await trashSession(ctx, gone.id);
    const ids = async (view: SessionView, tg = tag) =>
      (await listSessions(ctx, { view, tag: tg, limit: 50 })).items.map((s) => s.id);
    expect(await ids('active')).toEqual([live.id]);
    expect(await ids('archived')).toEqual([arch.id]);
    expect(await ids('trash')).toEqual([gone.id]);
    expect(await ids('archived', other)).toEqual([arch.id]);
    expect(await ids('active', other)).toEqual([]);
    expect(await ids('active', tag.toUpperCase())).toEqual([live.id]);
    expect(await ids('active', `  ${tag}  `)).toEqual([live.id]);

    const back = await setArchived(ctx, arch.id, false);
    expect(back.status).toBe('active');
    expect((await ids('active')).sort()).toEqual([live.id, arch.id].sort());
    expect(await ids('archived')).toEqual([]);

    // A trashed archived session comes back archived.
    await setArchived(ctx, arch.id, true);
    await trashSession(ctx, arch.id);
    expect(await ids('archived')).toEqual([]);
    await restoreSession(ctx, arch.id);
    expect(await ids('archived')).toEqual([arch.id]);
  });

  it('pins and unpins', async () => {
    const tag = uniqueTag('pin');
    const a = await createSession(ctx, { title: 'a', tags: [tag] });
    const b = await createSession(ctx, { title: 'b', tags: [tag] });
    await setActivity(a.id, '2021-01-01T00:00:00Z');
    await setActivity(b.id, '2021-01-02T00:00:00Z');
    const order = async () => (await listSessions(ctx, { view: 'active', tag, limit: 10 })).items.map((s) => s.id);
    expect(await order()).toEqual([b.id, a.id]);
    expect((await setPinned(ctx, a.id, true)).pinned).toBe(true);
    expect(await order()).toEqual([a.id, b.id]);
    expect((await setPinned(ctx, a.id, false)).pinned).toBe(false);
    expect(await order()).toEqual([b.id, a.id]);
  });

  it('pages the trash newest-deleted first', async () => {
    const tag = uniqueTag('trash');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const s = await createSession(ctx, { title: `t${i}`, tags: [tag] });
      await trashSession(ctx, s.id);
      ids.push(s.id);
    }
    // Two deleted in the same microsecond: the id breaks the tie.
    await t.db.query(
      sql`UPDATE chat_sessions SET deleted_at = '2026-01-01T00:00:00.000001Z' WHERE id IN (${ids[0]}, ${ids[1]})`,
    );
    const pages = await listAll(ctx, 'trash', tag, 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const got = pages.flat().map((s) => s.id);
    const [first, second] = ids[0]! > ids[1]! ? [ids[0]!, ids[1]!] : [ids[1]!, ids[0]!];
    expect(got).toEqual([...ids.slice(2).reverse(), first, second]);
    expect(pages.flat().every((s) => s.deletedAt !== null)).toBe(true);
  });

  it('trash hides a session and its messages; restore brings back exactly the messages deleted with it', async () => {
    const s = await createSession(ctx, { title: 'restore me' });
    const m1 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'one' });
    const m2 = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: 'two' });
    const m3 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'three (deleted on its own)' });
    // m3 is deleted on its own earlier: restore must not bring it back.
    await t.db.query(sql`UPDATE messages SET deleted_at = now() - interval '1 hour' WHERE id = ${m3.id}`);
    expect((await getSession(ctx, s.id)).messageCount).toBe(2);

    const trashed = await trashSession(ctx, s.id);
    expect(trashed.deletedAt).not.toBeNull();
    const again = await trashSession(ctx, s.id); // already in trash: a no-op, same tombstone
    expect(again.deletedAt).toBe(trashed.deletedAt);
    const inTrash = await getSession(ctx, s.id);
    expect(inTrash.messageCount).toBe(0);
    expect(inTrash.lastMessageAt).toBeNull();
    const trashRow = (await listSessions(ctx, { view: 'trash', limit: 500 })).items.find((x) => x.id === s.id);
    expect(trashRow?.lastMessagePreview).toBe('two');
    // Opening a chat from the trash shows the same preview as the trash list.
    expect(inTrash.lastMessagePreview).toBe('two');
    expect(inTrash.lastMessageRole).toBe('assistant');

    await restoreSession(ctx, s.id);
    const rows = await t.db.query<{ id: string; deleted: boolean }>(
      sql`SELECT id, deleted_at IS NOT NULL AS deleted FROM messages WHERE session_id = ${s.id} ORDER BY created_at, id`,
    );
    expect(rows.map((r) => [r.id, r.deleted])).toEqual([
      [m1.id, false],
      [m2.id, false],
      [m3.id, true],
    ]);
    const back = await getSession(ctx, s.id);
    expect(back.messageCount).toBe(2);
    expect(back.deletedAt).toBeNull();
    expect(back.lastMessageAt).toBe(m2.createdAt);
    expect(back.lastMessagePreview).toBe('two');

    // Restoring a live session changes nothing.
    await restoreSession(ctx, s.id);
    expect((await getSession(ctx, s.id)).messageCount).toBe(2);
    await expectConfabError(restoreSession(ctx, '01900000-0000-7000-8000-000000000002'), 'not_found');
    await expectConfabError(trashSession(ctx, '01900000-0000-7000-8000-000000000002'), 'not_found');
  });

  it('purges only a trashed session, with its messages, and keeps its usage runs', async () => {
    const s = await createSession(ctx, { title: 'purge me' });
    const m = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'bye' });
    const run = await recordRun(ctx, {
      sessionId: s.id,
      messageId: m.id,
      providerId: 'p',
      model: 'm',
      status: 'succeeded',
    });

    expect(await purgeSession(ctx, s.id)).toBe(0);
    expect((await getSession(ctx, s.id)).messageCount).toBe(1);

    await trashSession(ctx, s.id);
    expect(await purgeSession(ctx, s.id)).toBe(1);
    await expectConfabError(getSession(ctx, s.id), 'not_found');
    const left = await t.db.query(sql`SELECT id FROM messages WHERE session_id = ${s.id}`);
    expect(left).toEqual([]);
    const runs = await t.db.query<{ session_id: string | null; message_id: string | null }>(
      sql`SELECT session_id, message_id FROM generation_runs WHERE id = ${run.id}`,
    );
    expect(runs).toEqual([{ session_id: null, message_id: null }]);
    expect(await purgeSession(ctx, s.id)).toBe(0);
  });

  it('counts tags over live sessions (active and archived), not trashed ones', async () => {
    const a = uniqueTag('ta');
    const b = uniqueTag('tb');
    const s1 = await createSession(ctx, { title: '1', tags: [a, b] });
    await createSession(ctx, { title: '2', tags: [a] });
    const s3 = await createSession(ctx, { title: '3', tags: [a, b] });
    const s4 = await createSession(ctx, { title: '4', tags: [b] });
    await setArchived(ctx, s1.id, true);
    await trashSession(ctx, s3.id);
    await trashSession(ctx, s4.id);
    const tags = await listTags(ctx);
    expect(tags.find((x) => x.tag === a)).toEqual({ tag: a, count: 2 });
    expect(tags.find((x) => x.tag === b)).toEqual({ tag: b, count: 1 });
    // Most used first, then by name.
    for (let i = 1; i < tags.length; i++) {
      const prev = tags[i - 1]!;
      const cur = tags[i]!;
      expect(prev.count > cur.count || (prev.count === cur.count && prev.tag < cur.tag)).toBe(true);
    }
  });

  it('sets the current leaf only to a message of the same session', async () => {
    const s1 = await createSession(ctx, { title: 'one' });
    const s2 = await createSession(ctx, { title: 'two' });
    const a = await appendMessage(ctx, { sessionId: s1.id, role: 'user', content: 'a' });
    const b = await appendMessage(ctx, { sessionId: s1.id, role: 'assistant', content: 'b' });
    const other = await appendMessage(ctx, { sessionId: s2.id, role: 'user', content: 'c' });
    expect((await getSession(ctx, s1.id)).currentLeafId).toBe(b.id);
    expect((await setCurrentLeaf(ctx, s1.id, a.id)).currentLeafId).toBe(a.id);
    await expectConfabError(setCurrentLeaf(ctx, s1.id, other.id), 'not_found');
    await expectConfabError(setCurrentLeaf(ctx, s1.id, '01900000-0000-7000-8000-000000000003'), 'not_found');
    expect((await getSession(ctx, s1.id)).currentLeafId).toBe(a.id);
  });

  it('refuses a cursor that is not one it made, with invalid_input', async () => {
    const bad = [
      'not a cursor',
      '',
      encodeCursor([true]),
      encodeCursor(['yes', '2026-01-01T00:00:00Z', '01900000-0000-7000-8000-000000000000']),
      encodeCursor([true, 'not a time', '01900000-0000-7000-8000-000000000000']),
      encodeCursor([true, '2026-01-01T00:00:00Z', 'not-a-uuid']),
      encodeCursor([true, 12, null]),
      Buffer.from('{"a":1}').toString('base64url'),
      // The shape of a cursor time, but no real instant: these used to reach the database.
      encodeCursor([true, '2026-13-45T25:61:61.000000Z', '01900000-0000-7000-8000-000000000000']),
      encodeCursor([false, '2026-02-30T00:00:00.000000Z', '01900000-0000-7000-8000-000000000000']),
      encodeCursor([false, '0000-01-01T00:00:00.000000Z', '01900000-0000-7000-8000-000000000000']),
    ];
    for (const cursor of bad) {
      if (cursor === '') continue; // an empty cursor means the first page
      await expectConfabError(listSessions(ctx, { view: 'active', limit: 5, cursor }), 'invalid_input');
    }
    const badTrash = [
      encodeCursor(['2026-01-01T00:00:00Z']),
      encodeCursor(['garbage', '01900000-0000-7000-8000-000000000000']),
      encodeCursor(['2026-04-31T10:00:00.000000Z', '01900000-0000-7000-8000-000000000000']),
      encodeCursor(['2026-01-01T00:00:00Z', "'); DROP TABLE chat_sessions; --"]),
      encodeCursor([{}, []]),
    ];
    for (const cursor of badTrash) {
      await expectConfabError(listSessions(ctx, { view: 'trash', limit: 5, cursor }), 'invalid_input');
    }
    expect((await listSessions(ctx, { view: 'active', limit: 5, cursor: '' })).items.length).toBeGreaterThan(0);
  });

  it('empties the trash, optionally only what was deleted before a time', async () => {
    const old1 = await createSession(ctx, { title: 'old1' });
    const old2 = await createSession(ctx, { title: 'old2' });
    const recent = await createSession(ctx, { title: 'recent' });
    const live = await createSession(ctx, { title: 'live' });
    await appendMessage(ctx, { sessionId: old1.id, role: 'user', content: 'm' });
    for (const s of [old1, old2, recent]) await trashSession(ctx, s.id);
    await t.db.query(
      sql`UPDATE chat_sessions SET deleted_at = '2000-01-01T00:00:00Z' WHERE id IN (${old1.id}, ${old2.id})`,
    );
    expect(await emptyTrash(ctx, new Date('2000-06-01T00:00:00Z'))).toBe(2);
    await expectConfabError(getSession(ctx, old1.id), 'not_found');
    expect((await getSession(ctx, recent.id)).deletedAt).not.toBeNull();
    expect(await emptyTrash(ctx)).toBeGreaterThanOrEqual(1);
    await expectConfabError(getSession(ctx, recent.id), 'not_found');
    expect((await listSessions(ctx, { view: 'trash', limit: 10 })).items).toEqual([]);
    expect((await getSession(ctx, live.id)).deletedAt).toBeNull();
  });
});
