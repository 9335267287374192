import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BranchMessage, Message } from '@shared/types';
import { expectConfabError } from '../../../../tests/helpers/confabError';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { encodeCursor } from '../rows';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import {
  appendMessage,
  finaliseMessage,
  getMessage,
  interruptStreamingMessages,
  listBranch,
  newestLeafUnder,
  pathToMessage,
  siblingsOf,
  updateStreamingContent,
} from './repository';
import { createSession, getSession, restoreSession, setCurrentLeaf, trashSession } from '../sessions/repository';

const MISSING = '01900000-0000-7000-8000-0000000000ff';
const ids = (items: { id: string }[]) => items.map((m) => m.id);

describe.each(ENGINES)('messages on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A chat where an assistant reply was regenerated and the first question edited:
   *
   *   u1 ── a1
   *      └─ a1b ── u2            (u2 is the current leaf)
   *   u1e ── a1e                 (edit of u1: a second root)
   */
  async function branchedChat() {
    const s = await createSession(ctx, { title: 'branches' });
    const u1 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'question' });
    const a1 = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: 'answer one' });
    const a1b = await appendMessage(ctx, {
      sessionId: s.id,
      parentId: u1.id,
      role: 'assistant',
      content: 'answer two',
    });
    const u2 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'follow up' });
    const u1e = await appendMessage(ctx, {
      sessionId: s.id,
      parentId: null,
      role: 'user',
      content: 'question, edited',
      makeCurrent: false,
    });
    const a1e = await appendMessage(ctx, {
      sessionId: s.id,
      parentId: u1e.id,
      role: 'assistant',
      content: 'answer to edit',
      makeCurrent: false,
    });
    return { s, u1, a1, a1b, u2, u1e, a1e };
  }

  it('appends under the current leaf by default, with depth from the parent', async () => {
    const s = await createSession(ctx, { title: 'chain' });
    const m1 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'one' });
    const m2 = await appendMessage(ctx, {
      sessionId: s.id,
      role: 'assistant',
      content: 'two',
      model: 'm',
      providerId: 'p',
    });
    const m3 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'three' });
    expect([m1.parentId, m2.parentId, m3.parentId]).toEqual([null, m1.id, m2.id]);
    expect([m1.depth, m2.depth, m3.depth]).toEqual([0, 1, 2]);
    expect(m2).toMatchObject({
      sessionId: s.id,
      role: 'assistant',
      content: 'two',
      status: 'complete',
      model: 'm',
      providerId: 'p',
    });
    expect(m2.contentType).toBe('text/markdown');
    expect((await getSession(ctx, s.id)).currentLeafId).toBe(m3.id);
    expect(await getMessage(ctx, m2.id)).toEqual(m2);
    await expectConfabError(getMessage(ctx, MISSING), 'not_found');
  });

  it('appends under an explicit parent, as a new root, and without moving the current leaf', async () => {
    const { s, u1, a1, a1b, u2, u1e, a1e } = await branchedChat();
    expect(a1b.parentId).toBe(u1.id);
    expect(a1b.depth).toBe(1);
    expect(u2.parentId).toBe(a1b.id); // default parent followed the regenerated reply
    expect(u2.depth).toBe(2);
    expect(u1e.parentId).toBeNull();
    expect(u1e.depth).toBe(0);
    expect(a1e.depth).toBe(1);
    expect(a1.depth).toBe(1);
    expect((await getSession(ctx, s.id)).currentLeafId).toBe(u2.id);
  });

  it('refuses a parent from another session, a trashed session and a missing one', async () => {
    const s1 = await createSession(ctx, { title: 'one' });
    const s2 = await createSession(ctx, { title: 'two' });
    const foreign = await appendMessage(ctx, { sessionId: s2.id, role: 'user', content: 'elsewhere' });
    await expectConfabError(
      appendMessage(ctx, { sessionId: s1.id, parentId: foreign.id, role: 'user', content: 'x' }),
      'invalid_input',
    );
    await expectConfabError(
      appendMessage(ctx, { sessionId: s1.id, parentId: MISSING, role: 'user', content: 'x' }),
      'invalid_input',
    );
    expect((await getSession(ctx, s1.id)).messageCount).toBe(0);

    await trashSession(ctx, s2.id);
    await expectConfabError(appendMessage(ctx, { sessionId: s2.id, role: 'user', content: 'x' }), 'conflict');
    await expectConfabError(appendMessage(ctx, { sessionId: MISSING, role: 'user', content: 'x' }), 'not_found');
    await restoreSession(ctx, s2.id);
    const ok = await appendMessage(ctx, { sessionId: s2.id, role: 'assistant', content: 'back' });
    expect(ok.parentId).toBe(foreign.id);
  });

  it('keeps message_count, token totals and last_message_at through finalise, trash and restore', async () => {
    const s = await createSession(ctx, { title: 'counters' });
    const u = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'q' });
    let got = await getSession(ctx, s.id);
    expect(got.messageCount).toBe(1);
    expect(got.lastMessageAt).toBe(u.createdAt);
    expect(Date.parse(got.lastActivityAt)).toBeGreaterThanOrEqual(Date.parse(u.createdAt));

    const a = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'pending' });
    await finaliseMessage(ctx, {
      id: a.id,
      content: 'done',
      status: 'complete',
      tokensIn: 100,
      tokensOut: 40,
      latencyMs: 900,
    });
    got = await getSession(ctx, s.id);
    expect([got.messageCount, got.tokensIn, got.tokensOut]).toEqual([2, 100, 40]);
    expect(got.lastMessageAt).toBe(a.createdAt);

    // Finalising again replaces the numbers, it does not add them twice.
    await finaliseMessage(ctx, { id: a.id, content: 'done again', status: 'complete', tokensIn: 120, tokensOut: 50 });
    const b = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'pending' });
    await finaliseMessage(ctx, {
      id: b.id,
      content: 'x',
      status: 'error',
      tokensIn: 5,
      tokensOut: null,
      errorCode: 'e',
    });
    got = await getSession(ctx, s.id);
    expect([got.messageCount, got.tokensIn, got.tokensOut]).toEqual([3, 125, 50]);

    await trashSession(ctx, s.id);
    got = await getSession(ctx, s.id);
    expect([got.messageCount, got.tokensIn, got.tokensOut, got.lastMessageAt]).toEqual([0, 0, 0, null]);

    await restoreSession(ctx, s.id);
    got = await getSession(ctx, s.id);
    expect([got.messageCount, got.tokensIn, got.tokensOut]).toEqual([3, 125, 50]);
    expect(got.lastMessageAt).toBe(b.createdAt);

    // A message deleted on its own leaves the counters and last_message_at.
    await t.db.query(sql`UPDATE messages SET deleted_at = now() WHERE id = ${b.id}`);
    got = await getSession(ctx, s.id);
    expect([got.messageCount, got.tokensIn, got.tokensOut]).toEqual([2, 120, 50]);
    expect(got.lastMessageAt).toBe(a.createdAt);
  });

  it('pages a long branch newest page first, oldest to newest within a page, down to the root', async () => {
    const s = await createSession(ctx, { title: 'long' });
    const chain: Message[] = [];
    for (let i = 0; i < 120; i++) {
      chain.push(await appendMessage(ctx, { sessionId: s.id, role: i % 2 ? 'assistant' : 'user', content: `m${i}` }));
    }
    expect(chain.at(-1)!.depth).toBe(119);
    const pages: BranchMessage[][] = [];
    let cursor: string | null = null;
    do {
      const page = await listBranch(ctx, { sessionId: s.id, cursor, limit: 50 });
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(ids(pages[0]!)).toEqual(ids(chain.slice(70)));
    expect(ids(pages[1]!)).toEqual(ids(chain.slice(20, 70)));
    expect(ids(pages[2]!)).toEqual(ids(chain.slice(0, 20)));
    expect(new Set(pages.flat().map((m) => m.id)).size).toBe(120);
    expect(pages.flat().every((m) => m.siblingCount === 1 && m.siblingIndex === 0)).toBe(true);

    // A branch that is an exact multiple of the page size ends without an empty page.
    const exact = await listBranch(ctx, { sessionId: s.id, leafId: chain[99]!.id, limit: 50 });
    const rest = await listBranch(ctx, { sessionId: s.id, cursor: exact.nextCursor, limit: 50 });
    expect(ids(rest.items)).toEqual(ids(chain.slice(0, 50)));
    expect(rest.nextCursor).toBeNull();

    const whole = await listBranch(ctx, { sessionId: s.id, limit: 500 });
    expect(ids(whole.items)).toEqual(ids(chain));
    expect(whole.nextCursor).toBeNull();
  });

  it('lists the current branch with sibling positions, and another branch by its leaf', async () => {
    const { s, u1, a1, a1b, u2, u1e, a1e } = await branchedChat();
    const current = await listBranch(ctx, { sessionId: s.id, limit: 50 });
    expect(ids(current.items)).toEqual([u1.id, a1b.id, u2.id]);
    expect(current.items.map((m) => [m.siblingIndex, m.siblingCount])).toEqual([
      [0, 2],
      [1, 2],
      [0, 1],
    ]);
    expect(current.nextCursor).toBeNull();

    const first = await listBranch(ctx, { sessionId: s.id, leafId: a1.id, limit: 50 });
    expect(ids(first.items)).toEqual([u1.id, a1.id]);
    expect(first.items.map((m) => [m.siblingIndex, m.siblingCount])).toEqual([
      [0, 2],
      [0, 2],
    ]);
    const edited = await listBranch(ctx, { sessionId: s.id, leafId: a1e.id, limit: 50 });
    expect(ids(edited.items)).toEqual([u1e.id, a1e.id]);
    expect(edited.items.map((m) => [m.siblingIndex, m.siblingCount])).toEqual([
      [1, 2],
      [0, 1],
    ]);

    // A leaf from another chat shows nothing of it.
    const other = await createSession(ctx, { title: 'other' });
    expect((await listBranch(ctx, { sessionId: other.id, leafId: a1.id, limit: 50 })).items).toEqual([]);
    expect((await listBranch(ctx, { sessionId: other.id, limit: 50 })).items).toEqual([]);

    // Switching the current leaf switches the default branch.
    await setCurrentLeaf(ctx, s.id, a1e.id);
    expect(ids((await listBranch(ctx, { sessionId: s.id, limit: 50 })).items)).toEqual([u1e.id, a1e.id]);
  });

  it('refuses a forged branch cursor with invalid_input', async () => {
    const { s } = await branchedChat();
    for (const cursor of [
      'nope',
      encodeCursor([42]),
      encodeCursor(['not-a-uuid']),
      encodeCursor(["'; DROP TABLE messages; --"]),
      encodeCursor(['a', 'b']),
    ]) {
      await expectConfabError(listBranch(ctx, { sessionId: s.id, cursor, limit: 10 }), 'invalid_input');
    }
  });

  it('gives the path from the root, siblings in order, and the newest leaf under a node', async () => {
    const { u1, a1, a1b, u2, u1e, a1e } = await branchedChat();
    const path = await pathToMessage(ctx, u2.id);
    expect(ids(path)).toEqual([u1.id, a1b.id, u2.id]);
    expect(path[1]!.siblingCount).toBe(2);
    expect(ids(await pathToMessage(ctx, u1.id))).toEqual([u1.id]);
    await expectConfabError(pathToMessage(ctx, MISSING), 'not_found');

    expect(ids(await siblingsOf(ctx, a1.id))).toEqual([a1.id, a1b.id]);
    expect(ids(await siblingsOf(ctx, a1b.id))).toEqual([a1.id, a1b.id]);
    expect(ids(await siblingsOf(ctx, u1.id))).toEqual([u1.id, u1e.id]);
    expect(ids(await siblingsOf(ctx, u2.id))).toEqual([u2.id]);

    expect(await newestLeafUnder(ctx, u1.id)).toBe(u2.id);
    expect(await newestLeafUnder(ctx, a1.id)).toBe(a1.id);
    expect(await newestLeafUnder(ctx, u1e.id)).toBe(a1e.id);
    expect(await newestLeafUnder(ctx, MISSING)).toBe(MISSING);
  });

  it('updates streaming content only while pending or streaming, and finalises', async () => {
    const s = await createSession(ctx, { title: 'stream' });
    await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'q' });
    const a = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'pending' });
    expect(await updateStreamingContent(ctx, a.id, 'Hel')).toBe(true);
    expect(await getMessage(ctx, a.id)).toMatchObject({ content: 'Hel', status: 'streaming' });
    expect(await updateStreamingContent(ctx, a.id, 'Hello')).toBe(true);
    const done = await finaliseMessage(ctx, {
      id: a.id,
      content: 'Hello there',
      status: 'complete',
      tokensIn: 7,
      tokensOut: 3,
      tokensEstimated: true,
      latencyMs: 1234,
    });
    expect(done).toMatchObject({
      content: 'Hello there',
      status: 'complete',
      tokensIn: 7,
      tokensOut: 3,
      tokensEstimated: true,
      latencyMs: 1234,
      errorCode: null,
    });
    expect(await updateStreamingContent(ctx, a.id, 'late chunk')).toBe(false);
    expect((await getMessage(ctx, a.id)).content).toBe('Hello there');
    expect(await updateStreamingContent(ctx, MISSING, 'x')).toBe(false);
    await expectConfabError(finaliseMessage(ctx, { id: MISSING, content: '', status: 'error' }), 'not_found');

    const failed = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'streaming' });
    const err = await finaliseMessage(ctx, {
      id: failed.id,
      content: 'partial',
      status: 'error',
      errorCode: 'rate_limit',
      errorMessage: 'Slow down',
    });
    expect(err).toMatchObject({
      status: 'error',
      errorCode: 'rate_limit',
      errorMessage: 'Slow down',
      tokensIn: null,
      tokensOut: null,
    });
  });

  it('stores text PostgreSQL cannot hold (NUL) as U+FFFD instead of failing the write', async () => {
    const s = await createSession(ctx, { title: 'nul' });
    const u = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'pasted\u0000binary \uD800 half' });
    expect((await getMessage(ctx, u.id)).content).toBe('pasted\uFFFDbinary \uFFFD half');
    const a = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'pending' });
    expect(await updateStreamingContent(ctx, a.id, 'model said \u0000')).toBe(true);
    expect((await getMessage(ctx, a.id)).content).toBe('model said \uFFFD');
    const done = await finaliseMessage(ctx, {
      id: a.id,
      content: 'model said \u0000 twice \u0000',
      status: 'error',
      errorMessage: 'bad\u0000',
    });
    expect(done).toMatchObject({
      content: 'model said \uFFFD twice \uFFFD',
      status: 'error',
      errorMessage: 'bad\uFFFD',
    });
  });

  it('interrupts whatever was left streaming, keeping its text', async () => {
    const s = await createSession(ctx, { title: 'crash' });
    const u = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'q' });
    const p = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'pending' });
    const st = await appendMessage(ctx, {
      sessionId: s.id,
      parentId: u.id,
      role: 'assistant',
      content: '',
      status: 'pending',
    });
    await updateStreamingContent(ctx, st.id, 'half an ans');
    expect(await interruptStreamingMessages(ctx)).toBeGreaterThanOrEqual(2);
    expect(await getMessage(ctx, st.id)).toMatchObject({
      status: 'interrupted',
      content: 'half an ans',
      errorCode: 'interrupted',
    });
    expect(await getMessage(ctx, p.id)).toMatchObject({ status: 'interrupted', content: '' });
    expect((await getMessage(ctx, u.id)).status).toBe('complete');
    expect(await interruptStreamingMessages(ctx)).toBe(0);
    expect(await updateStreamingContent(ctx, st.id, 'more')).toBe(false);
  });

  it("leaves a reply another device is writing alone (SYNC.md: only this device's streaming rows)", async () => {
    const s = await createSession(ctx, { title: 'two devices' });
    const u = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'q' });
    const theirs = await appendMessage(ctx, {
      sessionId: s.id,
      parentId: u.id,
      role: 'assistant',
      content: '',
      status: 'pending',
    });
    await t.db.query(sql`UPDATE messages SET origin_client = 'aaaaaaaaaaaaaaaa' WHERE id = ${theirs.id}`);
    const mine = await appendMessage(ctx, {
      sessionId: s.id,
      parentId: u.id,
      role: 'assistant',
      content: '',
      status: 'pending',
    });
    expect(await interruptStreamingMessages(ctx)).toBe(1);
    expect((await getMessage(ctx, mine.id)).status).toBe('interrupted');
    expect((await getMessage(ctx, theirs.id)).status).toBe('pending');
  });
});
