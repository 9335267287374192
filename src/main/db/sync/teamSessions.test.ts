/**
 * Shared chats in the DB worker (issue 14), on PGlite and PostgreSQL: sharing goes through the
 * outbox like any edit, teammates' shared chats are listed apart with their author, "Continue in
 * my copy" copies the shown branch only, and every write to a teammate's chat is refused while
 * this user's own per-user state (pin, archive, tags, branch shown) stays allowed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '@shared/ids';
import { ConfabError } from '@shared/errors';
import { expectConfabError } from '../../../../tests/helpers/confabError';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { createDbService, type DbService } from '../services';
import { sql } from '../sql';
import { READ_ONLY_SENTENCE } from './readOnly';

interface PulledChat {
  sessionId: string;
  authorId: string;
  root: string;
  left: string;
  right: string;
  rightReply: string;
}

/**
 * A teammate's chat as a pull writes it (confab.applying on: no outbox, no stamping): a root
 * question with two answers, the second of which has a follow-up.
 */
async function pullTeammateChat(
  t: TestDb,
  fields: { visibility?: string; title?: string; activity?: string; author?: string } = {},
): Promise<PulledChat> {
  const authorId = uuidv7();
  const sessionId = uuidv7();
  const [root, left, right, rightReply] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
  await t.db.transaction(async (tx) => {
    await tx.query(sql`SELECT set_config('confab.applying', 'on', true)`);
    await tx.query(sql`
      INSERT INTO users (id, owner_id, display_name, is_local) VALUES (${authorId}, ${authorId}, ${fields.author ?? 'Ada'}, false)`);
    await tx.query(sql`
      INSERT INTO chat_sessions (id, owner_id, title, visibility, system_prompt, last_activity_at)
      VALUES (${sessionId}, ${authorId}, ${fields.title ?? 'Release plan'}, ${fields.visibility ?? 'team'}, 'Be brief.',
              ${fields.activity ?? '2026-11-20T10:00:00Z'})`);
    const message = (id: string, parent: string | null, role: string, content: string, at: string) =>
      tx.query(sql`
      INSERT INTO messages (id, owner_id, session_id, parent_id, role, content, created_at)
      VALUES (${id}, ${authorId}, ${sessionId}, ${parent}, ${role}, ${content}, ${at})`);
    await message(root, null, 'user', 'What ships first?', '2026-11-20T09:00:00Z');
    await message(left, root, 'assistant', 'Sync ships first.', '2026-11-20T09:00:01Z');
    await message(right, root, 'assistant', 'Search ships first.', '2026-11-20T09:00:02Z');
    await message(rightReply, right, 'user', 'Why search?', '2026-11-20T09:00:03Z');
  });
  return { sessionId, authorId, root, left, right, rightReply };
}

async function outbox(t: TestDb, tbl: string, key: string): Promise<number> {
  const rows = await t.db.query<{ n: unknown }>(
    sql`SELECT count(*) AS n FROM sync_outbox WHERE tbl = ${tbl} AND pk ->> 0 = ${key}`,
  );
  return Number(rows[0]?.n);
}

describe.each(ENGINES)('shared chats on %s', (engine) => {
  let t: TestDb;
  let svc: DbService;

  beforeAll(async () => {
    t = await openTestDb(engine);
    svc = createDbService({ db: t.db, ownerId: t.ownerId });
  }, 60_000);
  afterAll(() => t?.close());

  it('sharing sets the visibility as a stamped local write that goes to the outbox, and back', async () => {
    const chat = await svc['sessions.create']({ title: 'Mine' });
    await t.db.query(sql`DELETE FROM sync_outbox`);
    expect(await svc['sync.share']({ sessionId: chat.id, shared: true })).toEqual({ sessionId: chat.id, shared: true });
    const [row] = await t.db.query<{ visibility: string; stamped: string | null }>(
      sql`SELECT visibility, col_hlc ->> 'visibility' AS stamped FROM chat_sessions WHERE id = ${chat.id}`,
    );
    expect(row?.visibility).toBe('team');
    expect(row?.stamped).toMatch(/^\d{15}-\d{5}-[0-9a-f]{16}$/);
    expect(await outbox(t, 'chat_sessions', chat.id)).toBe(1);

    await t.db.query(sql`DELETE FROM sync_outbox`);
    await svc['sync.share']({ sessionId: chat.id, shared: false });
    expect((await svc['sessions.get']({ id: chat.id })).visibility).toBe('private');
    expect(await outbox(t, 'chat_sessions', chat.id)).toBe(1);

    // Sharing again what is already private writes nothing.
    await t.db.query(sql`DELETE FROM sync_outbox`);
    await svc['sync.share']({ sessionId: chat.id, shared: false });
    expect(await outbox(t, 'chat_sessions', chat.id)).toBe(0);
  });

  it("refuses to share a teammate's chat, a missing one, and a trashed one", async () => {
    const theirs = await pullTeammateChat(t);
    await expectConfabError(svc['sync.share']({ sessionId: theirs.sessionId, shared: false }), 'forbidden');
    expect((await svc['sessions.get']({ id: theirs.sessionId })).visibility).toBe('team');
    await expectConfabError(svc['sync.share']({ sessionId: uuidv7(), shared: true }), 'not_found');
    const trashed = await svc['sessions.create']({ title: 'Old' });
    await svc['sessions.trash']({ id: trashed.id });
    await expectConfabError(svc['sync.share']({ sessionId: trashed.id, shared: true }), 'conflict');
  });

  it("lists teammates' shared chats apart, newest activity first, with the author's name", async () => {
    const older = await pullTeammateChat(t, { title: 'Older', activity: '2026-11-21T10:00:00Z', author: 'Grace' });
    const newer = await pullTeammateChat(t, { title: 'Newer', activity: '2026-11-29T10:00:00Z', author: 'Linus' });
    const hidden = await pullTeammateChat(t, { title: 'Private', visibility: 'private' });
    const mine = await svc['sessions.create']({ title: 'My shared' });
    await svc['sync.share']({ sessionId: mine.id, shared: true });

    const team = await svc['sync.teamSessions']({ limit: 200 });
    const ids = team.map((s) => s.id);
    expect(ids.indexOf(newer.sessionId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(newer.sessionId)).toBeLessThan(ids.indexOf(older.sessionId));
    expect(ids).not.toContain(hidden.sessionId);
    expect(ids).not.toContain(mine.id);
    const listed = team.find((s) => s.id === newer.sessionId)!;
    expect(listed).toMatchObject({ authorName: 'Linus', title: 'Newer', ownerId: newer.authorId, visibility: 'team' });
    expect(listed.lastMessagePreview).toBe('Why search?');
    expect((await svc['sync.teamSessions']({ limit: 1 })).length).toBe(1);

    // The sidebar's own list holds this user's chats only.
    const own = await svc['sessions.list']({ view: 'active', limit: 500 });
    expect(own.items.map((s) => s.id)).toContain(mine.id);
    expect(own.items.some((s) => s.ownerId !== t.ownerId)).toBe(false);
  });

  it('"Continue in my copy" copies the shown branch under new ids into a chat of my own', async () => {
    const theirs = await pullTeammateChat(t, { title: 'Release plan' });
    // This user looks at the left answer (their own chosen branch, a per-user state).
    await svc['sessions.setCurrentLeaf']({ sessionId: theirs.sessionId, messageId: theirs.left });
    const { sessionId } = await svc['sync.fork']({ sessionId: theirs.sessionId });
    expect(sessionId).not.toBe(theirs.sessionId);

    const copy = await svc['sessions.get']({ id: sessionId });
    expect(copy).toMatchObject({
      title: 'Release plan (copy)',
      ownerId: t.ownerId,
      visibility: 'private',
      systemPrompt: 'Be brief.',
    });
    const branch = await svc['messages.listBranch']({ sessionId, limit: 100 });
    expect(branch.items.map((m) => [m.role, m.content])).toEqual([
      ['user', 'What ships first?'],
      ['assistant', 'Sync ships first.'],
    ]);
    expect(branch.items.map((m) => m.id)).not.toContain(theirs.root);
    expect(branch.items[1]?.parentId).toBe(branch.items[0]?.id);
    expect(copy.currentLeafId).toBe(branch.items[1]?.id);
    const owners = await t.db.query<{ owner_id: string }>(
      sql`SELECT DISTINCT owner_id FROM messages WHERE session_id = ${sessionId}`,
    );
    expect(owners.map((r) => r.owner_id)).toEqual([t.ownerId]);

    // The copy is writable; the original is untouched.
    await svc['messages.append']({ sessionId, role: 'user', content: 'Then what?' });
    expect((await svc['sessions.get']({ id: theirs.sessionId })).messageCount).toBe(4);

    // Unsharing the original (its rows leave this device) leaves the copy.
    await t.db.transaction(async (tx) => {
      await tx.query(sql`SELECT set_config('confab.applying', 'on', true)`);
      await tx.query(sql`DELETE FROM chat_sessions WHERE id = ${theirs.sessionId}`);
    });
    expect((await svc['sessions.get']({ id: sessionId })).messageCount).toBe(3);
  });

  it('a copy carries the files of the shown branch, naming the same bytes', async () => {
    const theirs = await pullTeammateChat(t, { title: 'With files' });
    await svc['sessions.setCurrentLeaf']({ sessionId: theirs.sessionId, messageId: theirs.left });
    const file = (id: string, messageId: string, name: string, sha: string) =>
      t.db.transaction(async (tx) => {
        await tx.query(sql`SELECT set_config('confab.applying', 'on', true)`);
        await tx.query(sql`
          INSERT INTO attachments (id, owner_id, session_id, message_id, file_name, media_type, size_bytes, sha256,
                                   status, extracted_text, bytes_present)
          VALUES (${id}, ${theirs.authorId}, ${theirs.sessionId}, ${messageId}, ${name}, 'text/csv', 12, ${sha},
                  'ready', 'a,b', false)`);
      });
    const onBranch = uuidv7();
    await file(onBranch, theirs.root, 'plan.csv', 'a'.repeat(64));
    await file(uuidv7(), theirs.right, 'other.csv', 'b'.repeat(64));

    const { sessionId } = await svc['sync.fork']({ sessionId: theirs.sessionId });
    const copied = await t.db.query<{
      id: string;
      owner_id: string;
      file_name: string;
      sha256: string;
      bytes_present: boolean;
      content: string;
    }>(sql`
      SELECT a.id, a.owner_id, a.file_name, a.sha256, a.bytes_present, m.content
        FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.session_id = ${sessionId}`);
    // Only the shown branch's file, under a new id, owned by this user, on the copied message.
    expect(copied).toEqual([
      expect.objectContaining({
        owner_id: t.ownerId,
        file_name: 'plan.csv',
        sha256: 'a'.repeat(64),
        bytes_present: false,
        content: 'What ships first?',
      }),
    ]);
    expect(copied[0]!.id).not.toBe(onBranch);
  });

  it('forks the newest branch when no branch was chosen, and an empty chat as an empty copy', async () => {
    const theirs = await pullTeammateChat(t);
    const { sessionId } = await svc['sync.fork']({ sessionId: theirs.sessionId });
    const branch = await svc['messages.listBranch']({ sessionId, limit: 100 });
    expect(branch.items.map((m) => m.content)).toEqual(['What ships first?', 'Search ships first.', 'Why search?']);

    const empty = await svc['sessions.create']({ title: '' });
    const forkedEmpty = await svc['sync.fork']({ sessionId: empty.id });
    expect((await svc['sessions.get']({ id: forkedEmpty.sessionId })).title).toBe('Untitled chat (copy)');
    await expectConfabError(svc['sync.fork']({ sessionId: uuidv7() }), 'not_found');
  });

  it("refuses every change to a teammate's chat with a sentence, and changes nothing", async () => {
    const theirs = await pullTeammateChat(t, { title: 'Theirs' });
    const { sessionId, right } = theirs;
    const before = await t.db.query(
      sql`SELECT title, description, deleted_at FROM chat_sessions WHERE id = ${sessionId}`,
    );
    const refusals: Promise<unknown>[] = [
      svc['sessions.rename']({ id: sessionId, title: 'Mine now' }),
      svc['sessions.update']({ id: sessionId, description: 'edited' }),
      svc['sessions.update']({ id: sessionId, tags: ['x'], systemPrompt: 'Be long.' }),
      svc['sessions.trash']({ id: sessionId }),
      svc['sessions.restore']({ id: sessionId }),
      svc['messages.delete']({ messageId: right }),
      svc['messages.restore']({ messageId: right }),
      svc['messages.append']({ sessionId, role: 'user', content: 'sneaky' }),
      svc['generation.begin']({ sessionId, user: { content: 'hi' }, providerId: null, model: null }),
    ];
    for (const refusal of refusals) {
      const error = await refusal.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfabError);
      expect((error as ConfabError).code).toBe('forbidden');
      expect((error as ConfabError).message).toBe(READ_ONLY_SENTENCE);
    }
    expect(
      await t.db.query(sql`SELECT title, description, deleted_at FROM chat_sessions WHERE id = ${sessionId}`),
    ).toEqual(before);
    expect((await svc['sessions.get']({ id: sessionId })).messageCount).toBe(4);
    const deleted = await t.db.query(
      sql`SELECT 1 FROM messages WHERE session_id = ${sessionId} AND deleted_at IS NOT NULL`,
    );
    expect(deleted).toEqual([]);
  });

  it("allows this user's own state on a teammate's chat: pin, archive, tags and the branch shown", async () => {
    const { sessionId, left } = await pullTeammateChat(t);
    expect((await svc['sessions.setPinned']({ id: sessionId, pinned: true })).pinned).toBe(true);
    expect((await svc['sessions.setArchived']({ id: sessionId, archived: true })).status).toBe('archived');
    expect((await svc['sessions.update']({ id: sessionId, tags: ['Review'] })).tags).toEqual(['review']);
    expect((await svc['sessions.setCurrentLeaf']({ sessionId, messageId: left })).currentLeafId).toBe(left);
    // Kept as this user's rows, not on the teammate's shared row.
    const state = await t.db.query<{ pinned: boolean; owner_id: string }>(
      sql`SELECT pinned, owner_id FROM session_user_state WHERE session_id = ${sessionId}`,
    );
    expect(state).toEqual([{ pinned: true, owner_id: t.ownerId }]);
  });

  it('a fork holds exactly the shown branch, whatever the tree and the branch shown (fast-check)', async () => {
    // A tree as parent indexes: message i answers message parents[i] (or starts a root at -1).
    const treeArb = fc
      .array(fc.nat(), { minLength: 1, maxLength: 12 })
      .map((picks) => picks.map((p, i) => (i === 0 ? -1 : (p % (i + 1)) - 1)));
    await fc.assert(
      fc.asyncProperty(treeArb, fc.nat(), async (parents, leafPick) => {
        const authorId = uuidv7();
        const sessionId = uuidv7();
        const ids = parents.map(() => uuidv7());
        await t.db.transaction(async (tx) => {
          await tx.query(sql`SELECT set_config('confab.applying', 'on', true)`);
          await tx.query(
            sql`INSERT INTO users (id, owner_id, display_name, is_local) VALUES (${authorId}, ${authorId}, 'P', false)`,
          );
          await tx.query(
            sql`INSERT INTO chat_sessions (id, owner_id, title, visibility) VALUES (${sessionId}, ${authorId}, 'T', 'team')`,
          );
          for (const [i, parent] of parents.entries()) {
            await tx.query(sql`
              INSERT INTO messages (id, owner_id, session_id, parent_id, role, content, created_at)
              VALUES (${ids[i]!}, ${authorId}, ${sessionId}, ${parent < 0 ? null : ids[parent]!},
                      ${i % 2 === 0 ? 'user' : 'assistant'}, ${`message ${i}`}, ${new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()})`);
          }
        });
        const leaf = ids[leafPick % ids.length]!;
        await svc['sessions.setCurrentLeaf']({ sessionId, messageId: leaf });
        const shown = await svc['messages.listBranch']({ sessionId, limit: 100 });
        const { sessionId: copyId } = await svc['sync.fork']({ sessionId });
        const copied = await svc['messages.listBranch']({ sessionId: copyId, limit: 100 });
        expect(copied.items.map((m) => [m.role, m.content, m.depth])).toEqual(
          shown.items.map((m) => [m.role, m.content, m.depth]),
        );
        // New ids only, each the parent of the next, and nothing else in the copy.
        expect(copied.items.some((m) => ids.includes(m.id))).toBe(false);
        copied.items.forEach((m, i) => expect(m.parentId).toBe(i === 0 ? null : copied.items[i - 1]!.id));
        expect((await svc['sessions.get']({ id: copyId })).messageCount).toBe(shown.items.length);
      }),
      { numRuns: engine === 'pglite' ? 15 : 8, seed: 1414 },
    );
  }, 120_000);
});
