/**
 * Migration 0009 (attachments) on every engine its SQL must run on (PGlite, the run's PostgreSQL
 * and the machine's PostgreSQL 15): the checks, the cascade with the message, the search vector,
 * and the repository's draft, bind, list and search round trip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import {
  bindToMessage,
  contextAttachments,
  createAttachment,
  listForMessages,
  markProcessed,
  readText,
  removeDraft,
} from '../../src/main/db/attachments/repository';
import { searchAttachments } from '../../src/main/db/attachments/search';
import { appendMessage } from '../../src/main/db/messages/repository';
import { searchMessages } from '../../src/main/db/search/repository';
import { createSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import { openTestDb } from '../helpers/engines';
import { openMigratedServerDb, testServers } from '../helpers/servers';

const engines = [
  { name: 'PGlite', open: () => openTestDb('pglite') },
  ...(await testServers()).map((server) => ({ ...server, open: () => openMigratedServerDb(server.url) })),
];

const sha = (c: string) => c.repeat(64);

describe.each(engines)('migration 0009 on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
  });
  afterAll(async () => {
    await close?.();
  });

  const draft = (sessionId: string, fileName: string, hash = sha('a')) =>
    createAttachment(
      { db, ownerId },
      { id: uuidv7(), sessionId, fileName, mediaType: 'application/pdf', sizeBytes: 10, sha256: hash },
    );

  it('refuses a bad hash, status, size or name', async () => {
    const session = await createSession({ db, ownerId }, { title: 'Checks' });
    const insert = (over: Record<string, unknown>) => {
      const v = { sha: sha('b'), status: 'ready', size: 1, name: 'x.txt', ...over };
      return db.query(sql`INSERT INTO attachments (id, owner_id, session_id, file_name, media_type, size_bytes, sha256, status)
        VALUES (${uuidv7()}, ${ownerId}, ${session.id}, ${v.name}, 'text/plain', ${v.size}, ${v.sha}, ${v.status})`);
    };
    await insert({});
    await expect(insert({ sha: 'ABC' })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ status: 'done' })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ size: 209715201 })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ name: '' })).rejects.toMatchObject({ code: '23514' });
  });

  it('binds drafts to the message in order, lists them, and drops them with the message', async () => {
    const ctx = { db, ownerId };
    const session = await createSession(ctx, { title: 'Files' });
    const a = await draft(session.id, 'report.pdf');
    const b = await draft(session.id, 'notes.pdf', sha('c'));
    expect(a).toMatchObject({ messageId: null, status: 'processing', kind: 'document', textChars: 0 });
    await markProcessed(ctx, { id: a.id, status: 'ready', extractedText: 'The zebra migration report' });
    await markProcessed(ctx, { id: b.id, status: 'ready', extractedText: 'Shopping list' });
    const message = await appendMessage(ctx, { sessionId: session.id, role: 'user', content: 'See files' });
    await db.transaction((tx) => bindToMessage({ db: tx, ownerId }, session.id, message.id, [b.id, a.id]));
    const listed = await listForMessages(ctx, [message.id]);
    expect(listed.map((x) => [x.fileName, x.position, x.textChars])).toEqual([
      ['notes.pdf', 0, 13],
      ['report.pdf', 1, 26],
    ]);
    // Bound once: a second send of the same draft is refused, nothing changes.
    await expect(bindToMessage(ctx, session.id, message.id, [a.id])).rejects.toMatchObject({ code: 'not_found' });
    expect(await readText(ctx, { id: a.id, offset: 4, limit: 5 })).toEqual({ text: 'zebra', totalChars: 26 });
    expect((await contextAttachments(ctx, [message.id])).map((x) => x.text)).toEqual([
      'Shopping list',
      'The zebra migration report',
    ]);
    await db.query(sql`DELETE FROM messages WHERE id = ${message.id}`);
    expect(await listForMessages(ctx, [message.id])).toEqual([]);
  });

  it('finds sent files by name and by their text, as hits on their message', async () => {
    const ctx = { db, ownerId };
    const session = await createSession(ctx, { title: 'Search here' });
    const a = await draft(session.id, 'quarterly-budget.xlsx.pdf');
    await markProcessed(ctx, { id: a.id, status: 'ready', extractedText: 'Our synchronised flamingos perform daily' });
    const unsent = await draft(session.id, 'quarterly-unsent.pdf');
    await markProcessed(ctx, { id: unsent.id, status: 'ready', extractedText: 'flamingos too' });
    const message = await appendMessage(ctx, { sessionId: session.id, role: 'user', content: 'Budget attached' });
    await bindToMessage(ctx, session.id, message.id, [a.id]);

    const byName = await searchAttachments(ctx, { q: 'quarterl', limit: 10 });
    expect(byName).toHaveLength(1);
    expect(byName[0]).toMatchObject({
      kind: 'message',
      messageId: message.id,
      sessionId: session.id,
      sessionTitle: 'Search here',
    });
    expect(byName[0]!.snippet).toContain('\u0002quarterl\u0003y-budget');
    // Stemmed words in the text: "synchronising" finds "synchronised".
    const byText = await searchAttachments(ctx, { q: 'synchronising flamingo', limit: 10 });
    expect(byText.map((h) => h.messageId)).toEqual([message.id]);
    // Cmd+K's own search carries the same hits.
    const all = await searchMessages(ctx, { q: 'flamingos', view: 'all', limit: 20 });
    expect(all.hits.some((h) => h.messageId === message.id && h.snippet.startsWith('📎'))).toBe(true);
    // A draft is not a hit until it is sent; removing one works only on drafts.
    expect(await removeDraft(ctx, unsent.id)).toEqual({ removed: true });
    expect(await removeDraft(ctx, a.id)).toEqual({ removed: false });
  });
});
