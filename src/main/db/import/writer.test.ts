/**
 * The import writer on both engines: every fixture written with exact counts, twice (the second
 * time adds nothing), branches kept as branches with the chosen leaf, reasoning and metadata in
 * their columns, counters equal to rows, and the migration's columns and checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationBundle } from '@shared/types/import';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { parseExport } from '../../import/parse';
import { fixture } from '../../import/testing/fixtures';
import type { RepoContext } from '../context';
import { sql } from '../sql';
import { importedMessageId, importedSessionId } from './ids';
import { startChangeCapture } from '../changes';
import { writeConversation, writeConversations, type WriteMode } from './writer';

async function bundlesOf(file: string): Promise<ConversationBundle[]> {
  const out: ConversationBundle[] = [];
  for await (const e of parseExport([fixture(file)])) if (e.type === 'conversation') out.push(e.bundle);
  return out;
}

const FIXTURES = [
  ['chatgpt/chatgpt2graph-code-interpreter-2023.json', 1, 42],
  ['chatgpt/chatlore-content-types-branch-malformed.json', 2, 9],
  ['chatgpt/cosmax-utils-gpt5-2025-thoughts-canvas-branch-trimmed.json', 9, 103],
  ['chatgpt/librechat-real-export-nested-branches.json', 1, 11],
  ['chatgpt/pionxzh-single-conv-thoughts-reasoning-recap.json', 1, 6],
  ['claude/chatlore-bulk-branch-thinking-tools-legacy.json', 2, 6],
  ['claude/osteele-single-chat-artifact-image-file.json', 1, 4],
  ['other/openwebui-export-reasoning-toolcall.json', 3, 6],
  ['other/openwebui-importer-single-chat-object-2025.json', 1, 2],
] as const;

type ImportedMessage = ConversationBundle['messages'][number];

/** One message as a parser yields it; `fields` overrides the rest. */
const message = (
  sourceId: string,
  parentSourceId: string | null,
  createdAt: string,
  fields: Partial<ImportedMessage> = {},
): ImportedMessage => ({
  sourceId,
  parentSourceId,
  role: 'user',
  content: `text ${sourceId}`,
  reasoning: '',
  model: null,
  createdAt,
  status: 'complete',
  toolCalls: null,
  metadata: null,
  ...fields,
});

/** A conversation of these messages, its last one the chosen branch; `fields` overrides the rest. */
const conversation = (
  source: ConversationBundle['source'],
  sourceId: string,
  messages: ImportedMessage[],
  fields: Partial<ConversationBundle> = {},
): ConversationBundle => ({
  source,
  sourceId,
  title: sourceId,
  createdAt: messages[0]!.createdAt,
  updatedAt: messages[0]!.createdAt,
  model: null,
  currentLeafSourceId: messages.at(-1)!.sourceId,
  archived: false,
  pinned: false,
  repairs: [],
  messages,
  ...fields,
});

describe.each(ENGINES)('import writer on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  const counts = async () =>
    (
      await t.db.query<{ sessions: number; messages: number }>(sql`
        SELECT (SELECT count(*)::int FROM chat_sessions) AS sessions, (SELECT count(*)::int FROM messages) AS messages`)
    )[0]!;

  it('writes every fixture with exact counts, and a second import adds nothing', async () => {
    for (const [file, chats, messages] of FIXTURES) {
      const before = await counts();
      const bundles = await bundlesOf(file);
      let created = 0;
      let written = 0;
      for (const b of bundles) {
        const r = await writeConversation(ctx, b);
        expect(r.mismatches).toEqual([]);
        if (r.sessionCreated) created++;
        written += r.createdMessageIds.length;
      }
      expect([file, created, written]).toEqual([file, chats, messages]);
      expect(await counts()).toEqual({ sessions: before.sessions + chats, messages: before.messages + messages });
      for (const b of bundles) {
        const again = await writeConversation(ctx, b);
        expect(again).toMatchObject({
          sessionCreated: false,
          createdMessageIds: [],
          messagesExisting: b.messages.length,
        });
      }
      expect(await counts()).toEqual({ sessions: before.sessions + chats, messages: before.messages + messages });
    }
  });

  it('keeps branches, the chosen leaf, reasoning, tool calls, absent attachments and the source', async () => {
    const [chat] = await bundlesOf('chatgpt/chatlore-content-types-branch-malformed.json');
    const sessionId = importedSessionId('chatgpt', chat!.sourceId);
    const [session] = await t.db.query<Record<string, unknown>>(sql`
      SELECT title, tags, current_leaf_id, message_count, import_source, import_source_id, created_at
        FROM chat_sessions WHERE id = ${sessionId}`);
    expect(session).toMatchObject({
      title: 'Postgres indexing',
      tags: ['chatgpt'],
      current_leaf_id: importedMessageId('chatgpt', chat!.sourceId, 'a3'),
      message_count: 7,
      import_source: 'chatgpt',
      import_source_id: '11111111-aaaa-4bbb-8ccc-000000000001',
    });
    const siblings = await t.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM messages WHERE parent_id = ${importedMessageId('chatgpt', chat!.sourceId, 'u1')}`);
    expect(siblings[0]!.n).toBe(2);
    const [code] = await t.db.query<Record<string, unknown>>(sql`
      SELECT reasoning, depth, role FROM messages WHERE id = ${importedMessageId('chatgpt', chat!.sourceId, 'c1')}`);
    expect(code).toEqual({ reasoning: '**x**\n\ny', depth: 3, role: 'assistant' });
    const [image] = await t.db.query<{ metadata: { attachments: { absent: boolean }[] } }>(sql`
      SELECT metadata FROM messages WHERE id = ${importedMessageId('chatgpt', chat!.sourceId, 'u2')}`);
    expect(image!.metadata.attachments[0]!.absent).toBe(true);
    const [claudeChat] = await bundlesOf('claude/chatlore-bulk-branch-thinking-tools-legacy.json');
    const [tool] = await t.db.query<{ tool_calls: unknown[] }>(sql`
      SELECT tool_calls FROM messages WHERE id = ${importedMessageId('claude', claudeChat!.sourceId, 'm3')}`);
    expect(tool!.tool_calls).toHaveLength(2);
  });

  it('a newer export adds only its new messages', async () => {
    const base = conversation(
      'chatgpt',
      `grow-${engine}`,
      [
        message('a', null, '2026-01-01T00:00:00.000Z', { content: 'one' }),
        message('b', 'a', '2026-01-01T00:00:01.000Z', { role: 'assistant', content: 'two', model: 'm' }),
      ],
      { title: 'Growing', updatedAt: '2026-01-01T00:00:00.000Z' },
    );
    await writeConversation(ctx, base);
    const newer = {
      ...base,
      messages: [
        ...base.messages,
        {
          ...base.messages[0]!,
          sourceId: 'c',
          parentSourceId: 'b',
          content: 'three\u0000',
          createdAt: '2026-01-02T00:00:00.000Z',
        },
      ],
    };
    const r = await writeConversation(ctx, newer);
    expect(r).toMatchObject({ sessionCreated: false, messagesExisting: 2, mismatches: [] });
    expect(r.createdMessageIds).toEqual([importedMessageId('chatgpt', base.sourceId, 'c')]);
    const [s] = await t.db.query<{ message_count: number }>(
      sql`SELECT message_count FROM chat_sessions WHERE id = ${r.sessionId}`,
    );
    expect(s!.message_count).toBe(3);
  });

  it('writes a batch in one transaction: one bad conversation leaves nothing of the batch, and alone the others go in', async () => {
    const chat = (n: number, role = 'user'): ConversationBundle =>
      conversation(
        'openwebui',
        `batch-${engine}-${n}`,
        [message('q', null, '2026-02-01T00:00:00.000Z', { role: role as 'user', content: `question ${n}` })],
        { title: `Batch ${n}`, pinned: n === 2 },
      );
    const before = await counts();
    // A role the database refuses: the whole batch is rolled back.
    await expect(writeConversations(ctx, [chat(1), chat(2, 'narrator'), chat(3)])).rejects.toThrow();
    expect(await counts()).toEqual(before);
    const written = await writeConversations(ctx, [chat(1), chat(3), chat(4)]);
    expect(written.map((w) => [w.sessionCreated, w.createdMessageIds.length, w.mismatches])).toEqual([
      [true, 1, []],
      [true, 1, []],
      [true, 1, []],
    ]);
    expect(await counts()).toEqual({ sessions: before.sessions + 3, messages: before.messages + 3 });
    const leaves = await t.db.query<{ title: string; ok: boolean; message_count: number }>(sql`
      SELECT s.title, s.current_leaf_id = m.id AS ok, s.message_count
        FROM chat_sessions s JOIN messages m ON m.session_id = s.id
       WHERE s.id = ANY(${written.map((w) => w.sessionId)}::uuid[]) ORDER BY s.title`);
    expect(leaves).toEqual([
      { title: 'Batch 1', ok: true, message_count: 1 },
      { title: 'Batch 3', ok: true, message_count: 1 },
      { title: 'Batch 4', ok: true, message_count: 1 },
    ]);
    // Written again in a batch with a new one: only the new one is added.
    const again = await writeConversations(ctx, [chat(1), chat(5)]);
    expect(again.map((w) => [w.sessionCreated, w.messagesExisting])).toEqual([
      [false, 1],
      [true, 0],
    ]);
  });

  it('a bulk write leaves the counters, sync outbox notes and change entries the triggers would', async () => {
    await startChangeCapture(t.db);
    const chat = (sourceId: string, messages: ImportedMessage[]): ConversationBundle =>
      conversation('claude', sourceId, messages, {
        createdAt: '2026-03-01T00:00:00.000Z',
        updatedAt: '2026-03-01T00:00:05.000Z',
      });
    // Listed child first: depths come from the tree, not the list's order.
    const first = [
      message('b', 'a', '2026-03-01T00:00:01.000Z'),
      message('a', null, '2026-03-01T00:00:00.000Z'),
      message('c', 'a', '2026-03-01T00:00:09.000Z'),
    ];
    const later = [...first, message('d', 'c', '2026-03-02T00:00:00.000Z')];
    const state = async (sourceId: string) => {
      const sessionId = importedSessionId('claude', sourceId);
      const [s] = await t.db.query<{
        message_count: number;
        tokens_in: unknown;
        tokens_out: unknown;
        last_message_at: unknown;
        last_activity_at: unknown;
      }>(sql`
        SELECT message_count, tokens_in, tokens_out, last_message_at, last_activity_at FROM chat_sessions
         WHERE id = ${sessionId}`);
      const [outbox] = await t.db.query<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM sync_outbox o JOIN messages m ON o.tbl = 'messages' AND o.pk = jsonb_build_array(m.id)
         WHERE m.session_id = ${sessionId}`);
      const [changed] = await t.db.query<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM confab_changed WHERE kind = 'message' AND session_id = ${sessionId}`);
      const depths = await t.db.query<{ depth: number }>(sql`
        SELECT depth FROM messages WHERE session_id = ${sessionId} ORDER BY created_at`);
      return { ...s!, outbox: outbox!.n, announced: changed!.n > 0, depths: depths.map((d) => d.depth) };
    };
    const writeBoth = async (bundles: (id: string) => ConversationBundle) => {
      const modes: WriteMode[] = ['bulk-where-allowed', 'triggers'];
      for (const mode of modes) {
        const [r] = await writeConversations(ctx, [bundles(`${mode}-${engine}`)], mode);
        expect(r!.mismatches).toEqual([]);
      }
      return [await state(`bulk-where-allowed-${engine}`), await state(`triggers-${engine}`)] as const;
    };
    await t.db.query(sql`DELETE FROM confab_changed`);
    const [bulk, triggers] = await writeBoth((id) => chat(id, first));
    expect(bulk).toMatchObject({ message_count: 3, announced: true, depths: [0, 1, 1] });
    // The one difference: a device that never connected to a team server notes nothing for sync in
    // bulk, since its first connect notes every row it owns (confab_outbox_note_owned).
    expect([bulk.outbox, triggers.outbox]).toEqual([0, 3]);
    expect({ ...bulk, outbox: 3 }).toEqual(triggers);
    // A newer export adds to chats that exist, on a device that has a team server.
    await t.db.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
    await t.db.query(sql`UPDATE sync_state SET server_user_id = ${t.ownerId}`);
    try {
      const [grown, grownByTriggers] = await writeBoth((id) => chat(id, later));
      expect(grown).toEqual({ ...grownByTriggers, outbox: grown.outbox });
      // The new message is noted; the rows from before linking wait for the first connect.
      expect([grown.outbox, grownByTriggers.outbox]).toEqual([1, 4]);
      expect(grown).toMatchObject({ message_count: 4, outbox: 1, depths: [0, 1, 1, 2] });
      expect(new Date(grown.last_message_at as string).toISOString()).toBe('2026-03-02T00:00:00.000Z');
      expect(new Date(grown.last_activity_at as string).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    } finally {
      await t.db.query(sql`UPDATE sync_state SET server_user_id = NULL`);
    }
  });
});
