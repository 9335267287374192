import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConfabError } from '../../../../tests/helpers/confabError';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import type { RepoContext } from '../context';
import { deleteMessageSubtree, restoreMessageSubtree } from './deletion';
import { appendMessage, listBranch, siblingsOf } from './repository';
import { createSession, getSession, trashSession } from '../sessions/repository';
import { searchMessages } from '../search/repository';

describe.each(ENGINES)('deleting messages on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  /**   u1 ── a1 ── u2 ── a2     (a2 current)
   *      └─ a1b                 (a regenerated answer, older branch)  */
  async function chat() {
    const s = await createSession(ctx, { title: 'deletable' });
    const u1 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'first question' });
    const a1b = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: 'older answer' });
    const a1 = await appendMessage(ctx, {
      sessionId: s.id,
      parentId: u1.id,
      role: 'assistant',
      content: 'newer answer',
    });
    const u2 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'zebracorn follow-up' });
    const a2 = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: 'last answer' });
    return { s, u1, a1, a1b, u2, a2 };
  }
  const branchIds = async (sessionId: string) =>
    (await listBranch(ctx, { sessionId, limit: 50 })).items.map((m) => m.id);

  it('hides the message and everything after it, and shows the sibling branch instead', async () => {
    const { s, u1, a1, a1b, u2, a2 } = await chat();
    const found = async () =>
      (await searchMessages(ctx, { q: 'zebracorn', view: 'all', limit: 100 })).hits.map((h) => h.messageId);
    expect(await found()).toContain(u2.id);
    const result = await deleteMessageSubtree(ctx, a1.id);
    expect(result.sessionId).toBe(s.id);
    expect(result.deletedIds[0]).toBe(a1.id);
    expect(new Set(result.deletedIds)).toEqual(new Set([a1.id, u2.id, a2.id]));
    expect(result.currentLeafId).toBe(a1b.id);
    expect(await branchIds(s.id)).toEqual([u1.id, a1b.id]);
    expect((await siblingsOf(ctx, a1b.id)).map((m) => m.id)).toEqual([a1b.id]);
    const session = await getSession(ctx, s.id);
    expect(session.messageCount).toBe(2);
    expect(session.currentLeafId).toBe(a1b.id);
    expect(await found()).not.toContain(u2.id);
  });

  it('Undo brings back exactly what that delete hid, and the branch it was on', async () => {
    const { s, u1, a1, u2, a2 } = await chat();
    await deleteMessageSubtree(ctx, a2.id); // an earlier, separate delete under a1
    await deleteMessageSubtree(ctx, a1.id);
    const undo = await restoreMessageSubtree(ctx, a1.id);
    expect(new Set(undo.deletedIds)).toEqual(new Set([a1.id, u2.id]));
    expect(undo.currentLeafId).toBe(u2.id);
    expect(await branchIds(s.id)).toEqual([u1.id, a1.id, u2.id]);
    expect((await getSession(ctx, s.id)).messageCount).toBe(4);
  });

  it('deleting the only root leaves an empty chat with no current leaf', async () => {
    const s = await createSession(ctx, { title: 'one message' });
    const only = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'alone' });
    const result = await deleteMessageSubtree(ctx, only.id);
    expect(result.currentLeafId).toBeNull();
    expect(await branchIds(s.id)).toEqual([]);
    expect((await getSession(ctx, s.id)).messageCount).toBe(0);
  });

  it('deleting a root with an edited sibling root moves to that root', async () => {
    const s = await createSession(ctx, { title: 'two roots' });
    const r1 = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'original' });
    const r2 = await appendMessage(ctx, { sessionId: s.id, parentId: null, role: 'user', content: 'edited' });
    const reply = await appendMessage(ctx, { sessionId: s.id, parentId: r1.id, role: 'assistant', content: 'hi' });
    const result = await deleteMessageSubtree(ctx, r1.id);
    expect(new Set(result.deletedIds)).toEqual(new Set([r1.id, reply.id]));
    expect(result.currentLeafId).toBe(r2.id);
  });

  it('refuses a streaming reply, a deleted message, a trashed chat and unknown ids, changing nothing', async () => {
    const s = await createSession(ctx, { title: 'refusals' });
    const u = await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'q' });
    await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'streaming' });
    await expectConfabError(deleteMessageSubtree(ctx, u.id), 'conflict');
    expect((await getSession(ctx, s.id)).messageCount).toBe(2);

    const { a2, s: other } = await chat();
    await deleteMessageSubtree(ctx, a2.id);
    await expectConfabError(deleteMessageSubtree(ctx, a2.id), 'not_found');
    await expectConfabError(restoreMessageSubtree(ctx, (await chat()).u1.id), 'conflict');
    await trashSession(ctx, other.id);
    await expectConfabError(restoreMessageSubtree(ctx, a2.id), 'conflict');
    await expectConfabError(deleteMessageSubtree(ctx, '01900000-0000-7000-8000-0000000000ff'), 'not_found');
  });

  it('will not restore a reply whose question is still deleted', async () => {
    const { u2, a2 } = await chat();
    await deleteMessageSubtree(ctx, a2.id);
    await deleteMessageSubtree(ctx, u2.id);
    await expectConfabError(restoreMessageSubtree(ctx, a2.id), 'conflict');
    await restoreMessageSubtree(ctx, u2.id);
    expect((await restoreMessageSubtree(ctx, a2.id)).currentLeafId).toBe(a2.id);
  });
});
