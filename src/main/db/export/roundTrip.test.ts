/**
 * Lossless round trip on both engines: chats written (as imports write them, with branches,
 * reasoning, tool calls, metadata and odd text) → Confab export → restore into another database
 * → export again gives the same rows, line for line (fast-check, a fixed set of seeds in CI).
 * Also: a restore merges (a row newer in the database is kept; nothing is deleted), a second
 * restore changes nothing, and a damaged or newer file is refused before anything is written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationBundle, ImportedMessage } from '@shared/types/import';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { tempDir } from '../../import/testing/fixtures';
import type { RepoContext } from '../context';
import { JobCancelled, type JobContext } from '../jobs/job';
import { restore } from '../backup/restore';
import { sql } from '../sql';
import { writeConversation } from '../import/writer';
import { writeExport } from './job';

/** A job context that runs batches directly (the worker's queue is not under test here). */
function directJob(ctx: RepoContext): JobContext {
  const controller = new AbortController();
  return {
    ctx,
    signal: controller.signal,
    batch: async (fn, options) => {
      if (controller.signal.aborted && !options?.undo) throw new JobCancelled();
      return fn(ctx);
    },
    progress: () => {},
    pauseWrites: () => () => {},
  };
}

/** The chosen branch of each chat as the writing database holds it. */
const leavesOf = (t: TestDb, ids: string[]) =>
  t.db.query<{ id: string; current_leaf_id: string | null }>(
    sql`SELECT id, current_leaf_id FROM chat_sessions WHERE id = ANY(${ids}::uuid[])`,
  );

const rowLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').slice(1);

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', "can''t", '```js\nx\n```', 'Ünïcödé 🧠 日本語'),
);

const bundleArb = fc
  .record({
    id: fc.uuid(),
    title: text,
    archived: fc.boolean(),
    pinned: fc.boolean(),
    // Each message picks its parent among the earlier ones (or none): any tree shape, branches included.
    shape: fc.array(
      fc.record({
        parent: fc.nat(),
        root: fc.boolean(),
        role: fc.constantFrom('user', 'assistant', 'tool'),
        content: text,
        reasoning: text,
        tool: fc.boolean(),
      }),
      {
        minLength: 1,
        maxLength: 8,
      },
    ),
  })
  .map(({ id, title, archived, pinned, shape }): ConversationBundle => {
    const messages: ImportedMessage[] = shape.map((m, i) => ({
      sourceId: `m${i}`,
      parentSourceId: i === 0 || m.root ? null : `m${m.parent % i}`,
      role: m.role as ImportedMessage['role'],
      content: m.content,
      reasoning: m.reasoning,
      model: m.role === 'assistant' ? 'gpt-x' : null,
      createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
      status: 'complete',
      toolCalls: m.tool ? [{ name: 'search', input: { q: m.content } }] : null,
      metadata: m.tool ? { attachments: [{ name: 'a.png', absent: true }] } : null,
    }));
    return {
      source: 'chatgpt',
      sourceId: id,
      title,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-02T00:00:00.000Z',
      model: null,
      currentLeafSourceId: messages.at(-1)!.sourceId,
      archived,
      pinned,
      messages,
      repairs: [],
    };
  });

const firstBundle = async (): Promise<ConversationBundle> => fc.sample(bundleArb, { numRuns: 1, seed: 7 })[0]!;

describe.each(ENGINES)('Confab export round trip on %s', (engine) => {
  let a: TestDb;
  let b: TestDb;
  let ca: RepoContext;
  let cb: RepoContext;
  const dir = tempDir();
  let n = 0;
  beforeAll(async () => {
    [a, b] = await Promise.all([openTestDb(engine), openTestDb(engine)]);
    ca = { db: a.db, ownerId: a.ownerId };
    cb = { db: b.db, ownerId: b.ownerId };
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('export → restore into another database → export gives the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bundleArb, { minLength: 1, maxLength: 3 }), async (bundles) => {
        const ids: string[] = [];
        for (const bundle of bundles) ids.push((await writeConversation(ca, bundle)).sessionId);
        const first = join(dir, `a-${++n}.jsonl`);
        const second = join(dir, `b-${n}.jsonl.gz`);
        const exported = await writeExport(directJob(ca), {
          path: first,
          sessionIds: ids,
          appVersion: 'test',
          schemaVersion: 7,
        });
        const report = await restore(directJob(cb), { path: first, schemaVersion: 7 });
        expect(report.mismatches).toEqual([]);
        await writeExport(directJob(cb), { path: second, sessionIds: ids, appVersion: 'test', schemaVersion: 7 });
        const { gunzipSync } = await import('node:zlib');
        const again = gunzipSync(readFileSync(second)).toString('utf8').trim().split('\n').slice(1);
        expect(again).toEqual(rowLines(first));
        // Each restored chat shows the branch its user had chosen, in the user's state and on the chat.
        const chosen = await b.db.query<{
          state_leaf: string | null;
          chat_leaf: string | null;
          written: string | null;
        }>(sql`
          SELECT u.current_leaf_id AS state_leaf, s.current_leaf_id AS chat_leaf, w.current_leaf_id AS written
            FROM chat_sessions s
            JOIN session_user_state u ON u.session_id = s.id AND u.owner_id = ${cb.ownerId}
            JOIN jsonb_to_recordset(${JSON.stringify(await leavesOf(a, ids))}::jsonb) AS w(id uuid, current_leaf_id uuid) ON w.id = s.id`);
        expect(chosen).toHaveLength(ids.length);
        for (const c of chosen) expect([c.state_leaf, c.chat_leaf]).toEqual([c.written, c.written]);
        expect(chosen.some((c) => c.written !== null)).toBe(true);
        expect(exported.manifest.rows.messages).toBe(bundles.reduce((s, x) => s + x.messages.length, 0));
      }),
      { numRuns: 12, seed: 1207 },
    );
  });

  it('a restore merges: rows newer in the database are kept, nothing is deleted, a second restore changes nothing', async () => {
    const path = join(dir, 'all.jsonl');
    await writeExport(directJob(ca), { path, sessionIds: null, appVersion: 'test', schemaVersion: 7 });
    const [row] = await b.db.query<{ id: string }>(sql`SELECT id FROM chat_sessions ORDER BY id LIMIT 1`);
    await b.db.query(
      sql`UPDATE chat_sessions SET title = 'renamed here later', updated_at = now() + interval '1 day' WHERE id = ${row!.id}`,
    );
    await b.db.query(sql`INSERT INTO settings (key, value) VALUES ('only-here', '1'::jsonb) ON CONFLICT DO NOTHING`);
    const report = await restore(directJob(cb), { path, schemaVersion: 7 });
    expect(report.mismatches).toEqual([]);
    expect(report.inserted.chat_sessions ?? 0).toBe(0);
    const [kept] = await b.db.query<{ title: string }>(sql`SELECT title FROM chat_sessions WHERE id = ${row!.id}`);
    expect(kept!.title).toBe('renamed here later');
    expect(await b.db.query(sql`SELECT 1 FROM settings WHERE key = 'only-here'`)).toHaveLength(1);
    const twice = await restore(directJob(cb), { path, schemaVersion: 7 });
    expect(Object.values(twice.inserted).reduce((s, x) => s + x, 0)).toBe(0);
    expect(Object.values(twice.updated).reduce((s, x) => s + x, 0)).toBe(0);
  });

  it('replace makes the data what the file holds: rows newer here are overwritten, rows not in the file removed', async () => {
    const path = join(dir, 'replace.jsonl');
    // A pinned chat: its session_user_state row (keyed by its owner) must survive the replace.
    await writeConversation(ca, { ...(await firstBundle()), pinned: true, sourceId: `pinned-in-a-${engine}` });
    await writeExport(directJob(ca), { path, sessionIds: null, appVersion: 'test', schemaVersion: 7 });
    const extra = await writeConversation(cb, { ...(await firstBundle()), sourceId: `only-in-b-${engine}` });
    await b.db.query(
      sql`INSERT INTO settings (key, value) VALUES ('only-here-too', '1'::jsonb) ON CONFLICT DO NOTHING`,
    );
    const report = await restore(directJob(cb), { path, schemaVersion: 7, mode: 'replace' });
    expect(report.mismatches).toEqual([]);
    expect(report.removed?.chat_sessions).toBeGreaterThanOrEqual(1);
    expect(await b.db.query(sql`SELECT 1 FROM chat_sessions WHERE id = ${extra.sessionId}`)).toHaveLength(0);
    expect(await b.db.query(sql`SELECT 1 FROM settings WHERE key = 'only-here-too'`)).toHaveLength(0);
    const again = join(dir, 'replace-b.jsonl');
    await writeExport(directJob(cb), { path: again, sessionIds: null, appVersion: 'test', schemaVersion: 7 });
    const chatLines = (p: string) =>
      rowLines(p).filter((l) => /^\{"t":"(chat_sessions|messages|generation_runs|tool_executions|settings)"/.test(l));
    expect(chatLines(again)).toEqual(chatLines(path));
    // session_user_state is keyed by its owner, which the file does not carry: the pin survives.
    const pins = (p: string) =>
      rowLines(p)
        .filter((l) => l.startsWith('{"t":"session_user_state"'))
        .map((l) => (JSON.parse(l) as { r: { session_id: string; pinned: boolean } }).r)
        .map((r) => `${r.session_id}:${r.pinned}`)
        .sort();
    expect(pins(path).length).toBeGreaterThan(0);
    expect(pins(again)).toEqual(pins(path));
    const selected = join(dir, 'selected.jsonl');
    await writeExport(directJob(ca), {
      path: selected,
      sessionIds: [extra.sessionId],
      appVersion: 'test',
      schemaVersion: 7,
    });
    await expect(restore(directJob(cb), { path: selected, schemaVersion: 7, mode: 'replace' })).rejects.toMatchObject({
      message: expect.stringMatching(/only some chats/),
    });
  });

  it('refuses a damaged file, a newer schema and a file that is not an export, changing nothing', async () => {
    const path = join(dir, 'check.jsonl');
    await writeExport(directJob(ca), { path, sessionIds: null, appVersion: 'test', schemaVersion: 7 });
    const lines = readFileSync(path, 'utf8').split('\n');
    const damaged = join(dir, 'damaged.jsonl');
    writeFileSync(damaged, [lines[0], lines[1]!.replace(/"title":"/, '"title":"x'), ...lines.slice(2)].join('\n'));
    const count = async () => (await b.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM messages`))[0]!.n;
    const before = await count();
    await expect(restore(directJob(cb), { path: damaged, schemaVersion: 7 })).rejects.toMatchObject({
      message: expect.stringMatching(/checksum does not match/),
    });
    const newer = join(dir, 'newer.jsonl');
    writeFileSync(newer, [lines[0]!.replace('"schemaVersion":7', '"schemaVersion":99'), ...lines.slice(1)].join('\n'));
    await expect(restore(directJob(cb), { path: newer, schemaVersion: 7 })).rejects.toMatchObject({
      message: expect.stringMatching(/newer Confab/),
    });
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, lines.slice(0, -2).join('\n'));
    await expect(restore(directJob(cb), { path: cut, schemaVersion: 7 })).rejects.toMatchObject({
      message: expect.stringMatching(/manifest is missing/),
    });
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, '{"hello":1}\n');
    await expect(restore(directJob(cb), { path: other, schemaVersion: 7 })).rejects.toMatchObject({
      message: expect.stringMatching(/not a Confab export/),
    });
    expect(await count()).toBe(before);
  });
});
