/**
 * The parsers on every real export in the shared fixtures (exact counts), on the variants seen
 * in real exports that are not in that folder (2026 sharded ChatGPT without `children`, Claude's
 * thinking in `text`, missing parent uuids, bare Open WebUI chats), and on bad input: a truncated
 * file, a file that is not an export, a broken conversation among good ones, a zip.
 */
import { describe, expect, it } from 'vitest';
import type { ConversationBundle } from '@shared/types/import';
import { ConfabError } from '@shared/errors';
import { parseExport, type ParseEvent } from './parse';
import { previewImport } from './preview';
import { fixture, tempDir, tempFile } from './testing/fixtures';
import { writeZip } from './testing/zipWriter';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';

async function collect(paths: string[]): Promise<{ bundles: ConversationBundle[]; events: ParseEvent[] }> {
  const events: ParseEvent[] = [];
  for await (const e of parseExport(paths)) events.push(e);
  return { bundles: events.flatMap((e) => (e.type === 'conversation' ? [e.bundle] : [])), events };
}

async function expectConfabError(promise: Promise<unknown>, code: string, message: RegExp) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
}

const byId = (b: ConversationBundle) => new Map(b.messages.map((m) => [m.sourceId, m]));

/** Every parent is an earlier message of the bundle, and the chosen leaf is one of them. */
function expectWellFormed(bundle: ConversationBundle) {
  const seen = new Set<string>();
  for (const m of bundle.messages) {
    if (m.parentSourceId !== null) expect(seen.has(m.parentSourceId)).toBe(true);
    seen.add(m.sourceId);
  }
  expect(bundle.currentLeafSourceId === null || seen.has(bundle.currentLeafSourceId)).toBe(true);
}

describe('fixtures', () => {
  it.each([
    ['chatgpt/chatgpt2graph-code-interpreter-2023.json', 'chatgpt', 1, 42, 0, 0],
    ['chatgpt/chatlore-content-types-branch-malformed.json', 'chatgpt', 2, 9, 1, 2],
    ['chatgpt/cosmax-utils-gpt5-2025-thoughts-canvas-branch-trimmed.json', 'chatgpt', 9, 103, 1, 0],
    ['chatgpt/librechat-real-export-nested-branches.json', 'chatgpt', 1, 11, 2, 0],
    ['chatgpt/pionxzh-single-conv-thoughts-reasoning-recap.json', 'chatgpt', 1, 6, 0, 0],
    ['claude/chatlore-bulk-branch-thinking-tools-legacy.json', 'claude', 2, 6, 1, 1],
    ['claude/osteele-single-chat-artifact-image-file.json', 'claude', 1, 4, 0, 0],
    ['other/openwebui-export-reasoning-toolcall.json', 'openwebui', 3, 6, 0, 0],
    ['other/openwebui-importer-single-chat-object-2025.json', 'openwebui', 1, 2, 0, 0],
  ] as const)(
    '%s: %s, %i chats, %i messages, %i branch points, %i skipped',
    async (file, source, chats, messages, branches, skipped) => {
      const preview = await previewImport([fixture(file)]);
      expect(preview).toMatchObject({ source, conversations: chats, messages, branchPoints: branches });
      expect(preview.skipped).toHaveLength(skipped);
      const { bundles } = await collect([fixture(file)]);
      for (const b of bundles) expectWellFormed(b);
    },
  );

  it('ChatGPT: keeps every branch, the current node, code, tool output, thoughts as reasoning, absent attachments', async () => {
    const { bundles, events } = await collect([fixture('chatgpt/chatlore-content-types-branch-malformed.json')]);
    const chat = bundles.find((b) => b.title === 'Postgres indexing')!;
    expect(chat.sourceId).toBe('11111111-aaaa-4bbb-8ccc-000000000001');
    const m = byId(chat);
    expect([...m.keys()]).toEqual(['u1', 'a1', 'a2', 'u2', 'c1', 'x1', 'a3']);
    expect(m.get('a1')!.parentSourceId).toBe('u1');
    expect(m.get('a2')!.parentSourceId).toBe('u1');
    // The hidden system node is skipped; u1 becomes the root.
    expect(m.get('u1')!.parentSourceId).toBeNull();
    expect(chat.currentLeafSourceId).toBe('a3');
    expect(m.get('c1')).toMatchObject({ role: 'assistant', reasoning: '**x**\n\ny', model: 'gpt-5' });
    expect(m.get('c1')!.content).toBe(
      '```sql\nCREATE INDEX idx_orders_customer ON orders (customer_id, created_at);\n```',
    );
    expect(m.get('x1')).toMatchObject({ role: 'tool', content: 'CREATE INDEX', metadata: { toolName: 'python' } });
    expect(m.get('u2')!.metadata!.attachments).toEqual([
      { name: 'file-2', kind: 'image', mimeType: null, size: null, sourceRef: 'file-service://file-2', absent: true },
    ]);
    expect(events.filter((e) => e.type === 'skipped').map((e) => e.type === 'skipped' && e.skipped.reason)).toEqual([
      'It has no messages (no "mapping" in the file).',
      'It has no messages.',
    ]);
  });

  it('ChatGPT: a root listed after its child, an interrupted branch, the current node on the second regenerate', async () => {
    const { bundles } = await collect([fixture('chatgpt/librechat-real-export-nested-branches.json')]);
    const chat = bundles[0]!;
    expect(chat.repairs).toEqual([]);
    expect(chat.messages.filter((m) => m.status === 'interrupted')).toHaveLength(1);
    const leaf = byId(chat).get(chat.currentLeafSourceId!)!;
    expect(leaf.role).toBe('assistant');
    expect(chat.model).toBe('text-davinci-002-render-sha');
  });

  it('Claude: thinking as reasoning (never in the answer), tool use kept, inline artifacts as code, files absent', async () => {
    const { bundles } = await collect([fixture('claude/chatlore-bulk-branch-thinking-tools-legacy.json')]);
    const m = byId(bundles[0]!);
    expect(m.get('m2')).toMatchObject({
      content: 'x does not live long enough.',
      reasoning: 'internal reasoning that must not be imported',
    });
    expect(m.get('m3')!.toolCalls).toHaveLength(2);
    expect(m.get('m1')!.content).toContain('fn main()');
    const single = (await collect([fixture('claude/osteele-single-chat-artifact-image-file.json')])).bundles[0]!;
    const answer = single.messages[1]!;
    expect(answer.content).not.toContain('<antThinking>');
    expect(answer.content).not.toContain('<antArtifact');
    expect(answer.content).toContain('```jsx');
    expect(answer.reasoning).toContain('mind map');
    expect(single.messages[0]!.metadata!.attachments).toHaveLength(1);
    expect(single.currentLeafSourceId).toBe('47e6dd5f-0e09-4063-8ab3-f155765ac9a1');
    expect(single.messages[0]!.content).toContain('’');
  });

  it('Open WebUI: reasoning and tool calls moved out of the text; a bare chat with "id": "" keeps doubled apostrophes and a stable id', async () => {
    const { bundles } = await collect([fixture('other/openwebui-export-reasoning-toolcall.json')]);
    const reasoning = bundles[0]!.messages[1]!;
    expect(reasoning).toMatchObject({ content: '255', reasoning: 'Let me break this down...', model: 'deepseek-r1' });
    const tool = bundles[1]!.messages[1]!;
    expect(tool.content).toBe('The weather in Paris is 18C with rain.');
    expect(tool.toolCalls).toHaveLength(2);
    const bare = await collect([fixture('other/openwebui-importer-single-chat-object-2025.json')]);
    const again = await collect([fixture('other/openwebui-importer-single-chat-object-2025.json')]);
    expect(bare.bundles[0]!.sourceId).toMatch(/^content-/);
    expect(bare.bundles[0]!.sourceId).toBe(again.bundles[0]!.sourceId);
    expect(bare.bundles[0]!.messages[0]!.content).toContain("can''t");
  });
});

const node = (id: string, parent: string | null, role: string | null, text: string, t: number, extra: object = {}) => ({
  id,
  parent,
  message: role
    ? { id, author: { role }, create_time: t, content: { content_type: 'text', parts: [text] }, metadata: { ...extra } }
    : null,
});

describe('variants not in the fixtures', () => {
  it('ChatGPT 2026: sharded files, no children, a parent that was removed from the file', async () => {
    const dir = tempDir();
    const shard0 = [
      {
        conversation_id: 'c-1',
        create_time: 1_800_000_000,
        current_node: 'n3',
        mapping: {
          // Sorted keys: children first; no `children` anywhere.
          n2: node('n2', 'n1', 'assistant', 'Answer', 1_800_000_010),
          n1: node('n1', 'root', 'user', 'Question', 1_800_000_000),
          // The hidden tool node between n2 and n3 was removed; n3's parent names it.
          n3: {
            ...node('n3', 'gone', 'user', 'Follow-up', 1_800_000_020),
            message: {
              ...node('n3', null, 'user', 'Follow-up', 1_800_000_020).message!,
              metadata: { parent_id: 'gone' },
            },
          },
          root: { id: 'root', message: null },
        },
        title: 'Sharded',
      },
    ];
    const shard1 = [
      {
        conversation_id: 'c-2',
        create_time: 1_800_000_100,
        title: 'Second',
        mapping: { a: node('a', null, 'user', 'Hi', 1_800_000_100) },
      },
    ];
    writeFileSync(join(dir, 'conversations-001.json'), JSON.stringify(shard1));
    writeFileSync(join(dir, 'conversations-000.json'), JSON.stringify(shard0));
    const { bundles } = await collect([join(dir, 'conversations-001.json'), join(dir, 'conversations-000.json')]);
    expect(bundles.map((b) => b.sourceId)).toEqual(['c-1', 'c-2']);
    const first = bundles[0]!;
    expect(first.messages.map((m) => m.sourceId)).toEqual(['n1', 'n2', 'n3']);
    expect(first.repairs).toEqual(['The parent gone of n3 is not in the file; n3 starts a branch of its own.']);
    expect(first.currentLeafSourceId).toBe('n3');
  });

  it('Claude: thinking in top-level text stays out; no parent uuids (a retry is a sibling); blank and empty chats skipped; tool_use without result; token_budget', async () => {
    const file = tempFile('conversations.json', [
      {
        uuid: 'k1',
        name: '',
        created_at: '2026-03-01T10:00:00Z',
        chat_messages: [
          {
            uuid: 'h1',
            sender: 'human',
            text: 'Hello there',
            created_at: '2026-03-01T10:00:00Z',
            content: [{ type: 'text', text: 'Hello there' }],
          },
          {
            uuid: 'x1',
            sender: 'assistant',
            text: 'I am thinking hard. Hi!',
            created_at: '2026-03-01T10:00:05Z',
            content: [
              { type: 'thinking', thinking: 'I am thinking hard.' },
              { type: 'text', text: 'Hi!' },
              { type: 'token_budget' },
            ],
          },
          {
            uuid: 'x2',
            sender: 'assistant',
            text: 'Hello!',
            created_at: '2026-03-01T10:00:09Z',
            content: [
              { type: 'text', text: 'Hello!' },
              { type: 'tool_use', name: 'web_search', input: { q: 'x' } },
            ],
          },
        ],
      },
      { uuid: 'k2', name: 'Blank', chat_messages: [{ uuid: 'b1', sender: 'human', text: '  ', content: [] }] },
      { uuid: 'k3', name: 'Empty', chat_messages: [] },
      {
        uuid: 'k4',
        name: 'Assistant first',
        chat_messages: [
          {
            uuid: 'r1',
            parent_message_uuid: '00000000-0000-4000-8000-000000000000',
            sender: 'assistant',
            text: 'Welcome',
            created_at: '2026-03-02T10:00:00Z',
          },
          {
            uuid: 'r2',
            parent_message_uuid: '00000000-0000-4000-8000-000000000000',
            sender: 'human',
            text: 'Other root',
            created_at: '2026-03-02T10:01:00Z',
          },
        ],
      },
    ]);
    const { bundles, events } = await collect([file]);
    const first = bundles[0]!;
    expect(first.title).toBe('Hello there');
    const m = byId(first);
    expect(m.get('x1')).toMatchObject({ content: 'Hi!', reasoning: 'I am thinking hard.', parentSourceId: 'h1' });
    expect(m.get('x2')).toMatchObject({
      parentSourceId: 'h1',
      toolCalls: [{ type: 'tool_use', name: 'web_search', input: { q: 'x' } }],
    });
    expect(first.currentLeafSourceId).toBe('x2');
    expect(
      events.filter((e) => e.type === 'skipped').map((e) => (e.type === 'skipped' ? e.skipped.title : '')),
    ).toEqual(['Blank', 'Empty']);
    const roots = bundles[1]!.messages.filter((x) => x.parentSourceId === null);
    expect(roots.map((r) => r.role)).toEqual(['assistant', 'user']);
  });

  it('Open WebUI: a bare chat object with a flat message list', async () => {
    const file = tempFile('chat.json', {
      id: '',
      title: 'Flat',
      timestamp: 1_744_577_557_000,
      history: { messages: {}, currentId: null },
      messages: [],
    });
    await expect(previewImport([file])).resolves.toMatchObject({
      conversations: 0,
      skipped: [{ title: 'Flat', reason: 'It has no messages.' }],
    });
  });

  it('reads an export zip', async () => {
    const dir = tempDir();
    const zip = join(dir, 'export.zip');
    writeZip(zip, {
      'conversations.json': JSON.stringify([
        {
          conversation_id: 'z1',
          title: 'Zipped',
          mapping: { a: node('a', null, 'user', 'From a zip é', 1_800_000_000) },
        },
      ]),
      'user.json': '{}',
    });
    const { bundles } = await collect([zip]);
    expect(bundles.map((b) => b.messages[0]!.content)).toEqual(['From a zip é']);
  });
});

describe('bad input', () => {
  it('a truncated file is refused with a sentence', async () => {
    const text = JSON.stringify([
      { conversation_id: 'a', title: 'x', mapping: { a: node('a', null, 'user', 'hi', 1) } },
      { conversation_id: 'b', title: 'y', mapping: {} },
    ]);
    await expectConfabError(
      previewImport([tempFile('conversations.json', text.slice(0, text.length - 30))]),
      'invalid_input',
      /ends in the middle of a conversation/,
    );
  });

  it('a file that is not an export is refused', async () => {
    await expectConfabError(
      previewImport([tempFile('notes.json', { hello: 'world' })]),
      'invalid_input',
      /is not an export Confab can read/,
    );
    await expectConfabError(
      previewImport([tempFile('notes.txt', 'just text')]),
      'invalid_input',
      /is not a JSON export/,
    );
    await expectConfabError(previewImport([tempFile('empty.json', '')]), 'invalid_input', /is empty/);
  });

  it('one broken conversation is skipped with its reason, the others are read', async () => {
    const file = tempFile('conversations.json', [
      { conversation_id: 'a', title: 'Good', mapping: { a: node('a', null, 'user', 'hi', 1_800_000_000) } },
      { conversation_id: 'b', title: 'Broken', mapping: 'not a tree' },
      { conversation_id: 'c', title: 'Also good', mapping: { c: node('c', null, 'user', 'hello', 1_800_000_000) } },
    ]);
    const preview = await previewImport([file]);
    expect(preview.conversations).toBe(2);
    expect(preview.skipped).toEqual([{ title: 'Broken', reason: 'It has no messages (no "mapping" in the file).' }]);
  });

  it('a loop of parents is cut and reported', async () => {
    const file = tempFile('conversations.json', [
      {
        conversation_id: 'l',
        title: 'Loop',
        mapping: { a: node('a', 'b', 'user', 'one', 1), b: node('b', 'a', 'assistant', 'two', 2) },
      },
    ]);
    const { bundles } = await collect([file]);
    expect(bundles[0]!.messages.map((m) => m.sourceId)).toEqual(['a', 'b']);
    expect(bundles[0]!.repairs[0]).toMatch(/loop/);
  });
});
