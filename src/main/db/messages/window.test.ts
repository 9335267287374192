import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BranchMessage, Message } from '@shared/types';
import { expectConfabError } from '../../../../tests/helpers/confabError';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import { appendMessage, listBranch, listNewer, locateMessage } from './repository';
import { createSession, getSession, setCurrentLeaf } from '../sessions/repository';

const MISSING = '01900000-0000-7000-8000-0000000000ff';
const ids = (items: { id: string }[]) => items.map((m) => m.id);

describe.each(ENGINES)('message windows (jump and newer pages) on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  /**
   * A 120-message chain m0…m119 (current leaf m119), and a second branch that forks after m29:
   * e30 (an edit of m30's question) ── e31 ── e32, created last, so it is the newest under m29.
   */
  async function forkedChat() {
    const s = await createSession(ctx, { title: 'long' });
    const main: Message[] = [];
    for (let i = 0; i < 120; i++) {
      main.push(await appendMessage(ctx, { sessionId: s.id, role: i % 2 ? 'assistant' : 'user', content: `m${i}` }));
    }
    const fork: Message[] = [];
    let parent = main[29]!.id;
    for (let i = 30; i < 33; i++) {
      const m = await appendMessage(ctx, {
        sessionId: s.id,
        parentId: parent,
        role: i % 2 ? 'assistant' : 'user',
        content: `e${i}`,
        makeCurrent: false,
      });
      fork.push(m);
      parent = m.id;
    }
    return { s, main, fork };
  }

  it('locates a message on the current branch: a page around it, cursors both ways, branch kept', async () => {
    const { s, main } = await forkedChat();
    const w = await locateMessage(ctx, { messageId: main[60]!.id, limit: 20 });
    expect(w).toMatchObject({ sessionId: s.id, messageId: main[60]!.id, leafId: main[119]!.id, branchChanged: false });
    expect(ids(w.items)).toEqual(ids(main.slice(51, 71)));
    expect((await getSession(ctx, s.id)).currentLeafId).toBe(main[119]!.id);

    // The older cursor continues with listBranch, the newer one with listNewer, without gaps.
    const older = await listBranch(ctx, { sessionId: s.id, cursor: w.olderCursor, limit: 20 });
    expect(ids(older.items)).toEqual(ids(main.slice(31, 51)));
    expect(w.newerCursor).toBe(main[70]!.id);
    const newer = await listNewer(ctx, { sessionId: s.id, after: w.newerCursor, limit: 20 });
    expect(ids(newer.items)).toEqual(ids(main.slice(71, 91)));
    expect(newer.nextCursor).toBe(main[90]!.id);

    // The m30 on the main branch has a sibling (e30): its switcher says 1 of 2.
    const at30 = (await locateMessage(ctx, { messageId: main[30]!.id, limit: 4 })).items;
    expect(ids(at30)).toEqual(ids(main.slice(29, 33)));
    expect(at30.find((m) => m.id === main[30]!.id)).toMatchObject({ siblingCount: 2, siblingIndex: 0 });
  });

  it('pages newer down to the leaf, and ends without an empty page', async () => {
    const { s, main } = await forkedChat();
    const pages: BranchMessage[][] = [];
    let after: string | null = main[19]!.id;
    while (after && pages.length < 10) {
      const page = await listNewer(ctx, { sessionId: s.id, after, limit: 50 });
      pages.push(page.items);
      after = page.nextCursor;
    }
    expect(pages.map((p) => p.length)).toEqual([50, 50]);
    expect(ids(pages.flat())).toEqual(ids(main.slice(20)));

    // From the root, and from the leaf itself.
    const fromRoot = await listNewer(ctx, { sessionId: s.id, after: null, limit: 5 });
    expect(ids(fromRoot.items)).toEqual(ids(main.slice(0, 5)));
    expect(fromRoot.nextCursor).toBe(main[4]!.id);
    expect(await listNewer(ctx, { sessionId: s.id, after: main[119]!.id, limit: 5 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('locating a message on another branch switches to the newest leaf under it', async () => {
    const { s, main, fork } = await forkedChat();
    const w = await locateMessage(ctx, { messageId: fork[1]!.id, limit: 10 });
    expect(w.branchChanged).toBe(true);
    expect(w.leafId).toBe(fork[2]!.id);
    expect(ids(w.items)).toEqual([...ids(main.slice(27, 30)), ...ids(fork)]);
    expect(w.newerCursor).toBeNull();
    expect(w.olderCursor).not.toBeNull();
    expect((await getSession(ctx, s.id)).currentLeafId).toBe(fork[2]!.id);
    // The switcher on the fork's first message shows the second of two versions.
    expect(w.items.find((m) => m.id === fork[0]!.id)).toMatchObject({ siblingCount: 2, siblingIndex: 1 });
    // The default branch now is the fork.
    expect(ids((await listBranch(ctx, { sessionId: s.id, limit: 3 })).items)).toEqual(ids(fork));

    // Back to a deep message of the main branch: the main leaf again, not the fork.
    const back = await locateMessage(ctx, { messageId: main[100]!.id, limit: 10 });
    expect(back).toMatchObject({ branchChanged: true, leafId: main[119]!.id, newerCursor: main[105]!.id });
    expect(ids(back.items)).toEqual(ids(main.slice(96, 106)));
  });

  it('locates near the ends of a branch: short pages, null cursors', async () => {
    const { s, main } = await forkedChat();
    const top = await locateMessage(ctx, { messageId: main[1]!.id, limit: 10 });
    expect(ids(top.items)).toEqual(ids(main.slice(0, 7)));
    expect(top.olderCursor).toBeNull();
    expect(top.newerCursor).toBe(main[6]!.id);
    const bottom = await locateMessage(ctx, { messageId: main[118]!.id, limit: 10 });
    expect(ids(bottom.items)).toEqual(ids(main.slice(114, 120)));
    expect(bottom.newerCursor).toBeNull();
    expect(bottom.leafId).toBe(main[119]!.id);
    const single = await createSession(ctx, { title: 'one' });
    const only = await appendMessage(ctx, { sessionId: single.id, role: 'user', content: 'alone' });
    expect(await locateMessage(ctx, { messageId: only.id, limit: 50 })).toMatchObject({
      items: [expect.objectContaining({ id: only.id })],
      olderCursor: null,
      newerCursor: null,
      branchChanged: false,
    });
    expect(s.id).not.toBe(single.id);
  });

  it('refuses missing and deleted messages, and an `after` that left the branch', async () => {
    const { s, main, fork } = await forkedChat();
    await expectConfabError(locateMessage(ctx, { messageId: MISSING, limit: 10 }), 'not_found');
    await t.db.query(sql`UPDATE messages SET deleted_at = now() WHERE id = ${main[119]!.id}`);
    await expectConfabError(locateMessage(ctx, { messageId: main[119]!.id, limit: 10 }), 'not_found');

    await setCurrentLeaf(ctx, s.id, fork[2]!.id);
    // m50 is on the main branch, which is no longer shown.
    await expectConfabError(listNewer(ctx, { sessionId: s.id, after: main[50]!.id, limit: 10 }), 'conflict');
    await expectConfabError(listNewer(ctx, { sessionId: s.id, after: MISSING, limit: 10 }), 'conflict');
    // A message of another chat is not on this one's branch either.
    const other = await createSession(ctx, { title: 'other' });
    const foreign = await appendMessage(ctx, { sessionId: other.id, role: 'user', content: 'elsewhere' });
    await expectConfabError(listNewer(ctx, { sessionId: s.id, after: foreign.id, limit: 10 }), 'conflict');
    // Shared ancestry still works: m10 is above the fork.
    const page = await listNewer(ctx, { sessionId: s.id, after: main[27]!.id, limit: 10 });
    expect(ids(page.items)).toEqual([main[28]!.id, main[29]!.id, ...ids(fork)]);
    expect(page.nextCursor).toBeNull();
    // An empty chat has nothing below its (missing) root.
    const empty = await createSession(ctx, { title: 'empty' });
    expect(await listNewer(ctx, { sessionId: empty.id, after: null, limit: 10 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
