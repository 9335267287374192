/**
 * Giving the user an export on a real core: export.file (the web host's download) and export.save
 * (the save dialog) for a Confab export, one chat's Markdown and a zip of many chats' Markdown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startChatCore, type ChatCore } from '../../../tests/helpers/chatCore';
import { fixture } from '../import/testing/fixtures';
import { listZipEntries, openZipEntry } from '../import/zip';

let c: ChatCore;
const saved: { name: string; bytes: Buffer }[] = [];
let cancelNextSave = false;

beforeAll(async () => {
  c = await startChatCore({
    retention: false,
    saveTextFile: async (name, produce) => {
      if (cancelNextSave) {
        cancelNextSave = false;
        return null;
      }
      const data = await produce();
      saved.push({
        name,
        bytes:
          typeof data === 'string'
            ? Buffer.from(data, 'utf8')
            : 'fromPath' in data
              ? readFileSync(data.fromPath)
              : Buffer.from(data),
      });
      return { path: `/chosen/${name}` };
    },
  });
  const path = fixture('claude/chatlore-bulk-branch-thinking-tools-legacy.json');
  const { uploadId } = await c.api.import.upload({
    name: 'claude.json',
    chunk: readFileSync(path).toString('base64'),
    last: true,
  });
  await c.api.import.preview({ uploadId });
  const { jobId } = await c.api.import.start({ uploadId });
  await c.api.import.result({ jobId });
});

afterAll(async () => {
  await c?.close();
  removeDataDir(c.dataDir);
});

async function unzip(bytes: Buffer): Promise<Record<string, string>> {
  const path = join(c.dataDir, `check-${Date.now()}.zip`);
  writeFileSync(path, bytes);
  const out: Record<string, string> = {};
  for (const entry of await listZipEntries(path, 'check.zip')) {
    const chunks: Buffer[] = [];
    for await (const chunk of await openZipEntry(path, entry, 'check.zip')) chunks.push(chunk as Buffer);
    out[entry.name] = Buffer.concat(chunks).toString('utf8');
  }
  return out;
}

describe('export delivery', () => {
  it('export.file gives one chat as Markdown, every chat zipped, and a Confab export with its manifest', async () => {
    const chats = (await c.api.sessions.list({ view: 'active', limit: 50 })).items;
    expect(chats.length).toBeGreaterThanOrEqual(2);

    const one = await c.api.export.file({ kind: 'markdown', sessionId: chats[0]!.id });
    const direct = await c.api.export.markdown({ sessionId: chats[0]!.id });
    expect(one).toMatchObject({ fileName: direct.fileName, mimeType: 'text/markdown;charset=utf-8' });
    expect(Buffer.from(one.base64, 'base64').toString('utf8')).toBe(direct.markdown);

    const zip = await c.api.export.file({ kind: 'markdownZip' });
    expect(zip.fileName).toMatch(/^confab-chats-\d{4}-\d{2}-\d{2}\.zip$/);
    const entries = await unzip(Buffer.from(zip.base64, 'base64'));
    expect(Object.keys(entries)).toHaveLength(chats.length);
    for (const chat of chats) {
      const { markdown } = await c.api.export.markdown({ sessionId: chat.id });
      expect(Object.values(entries)).toContain(markdown);
    }

    const chosen = await c.api.export.file({ kind: 'markdownZip', sessionIds: [chats[1]!.id] });
    expect(Object.values(await unzip(Buffer.from(chosen.base64, 'base64')))).toEqual([
      (await c.api.export.markdown({ sessionId: chats[1]!.id })).markdown,
    ]);

    const confab = await c.api.export.file({ kind: 'confab' });
    expect(confab.fileName).toMatch(/^confab-export-.*\.jsonl$/);
    const lines = Buffer.from(confab.base64, 'base64').toString('utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ confab: 'export', scope: 'all' });
    expect(lines.filter((l) => l.startsWith('{"t":"chat_sessions"'))).toHaveLength(chats.length);
    // The same bytes as the file kept in the data folder's exports/.
    expect(Buffer.from(confab.base64, 'base64').equals(readFileSync(join(c.dataDir, 'exports', confab.fileName)))).toBe(
      true,
    );
  });

  it('export.save writes through the host save dialog, under the chat title or a dated name; a cancelled dialog writes nothing', async () => {
    const chat = (await c.api.sessions.list({ view: 'active', limit: 1 })).items[0]!;
    const { fileName, markdown } = await c.api.export.markdown({ sessionId: chat.id });
    expect(await c.api.export.save({ kind: 'markdown', sessionId: chat.id })).toEqual({
      status: 'saved',
      path: `/chosen/${fileName}`,
    });
    expect(saved.at(-1)!.bytes.toString('utf8')).toBe(markdown);

    const zip = await c.api.export.save({ kind: 'markdownZip', sessionIds: [chat.id] });
    expect(zip).toMatchObject({ status: 'saved', path: expect.stringMatching(/confab-chats-.*\.zip$/) });
    expect(Object.values(await unzip(saved.at(-1)!.bytes))).toEqual([markdown]);

    const before = saved.length;
    cancelNextSave = true;
    expect(await c.api.export.save({ kind: 'confab' })).toEqual({ status: 'cancelled' });
    expect(saved).toHaveLength(before);
  });

  it('refuses a request it cannot parse with a typed error', async () => {
    await expect(c.api.export.file({ kind: 'pdf' } as never)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(c.api.export.file({ kind: 'markdownZip', sessionIds: [] })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
