/**
 * Export, backup and restore through the contract on a real core: a Confab export imported into
 * another data folder with the same counts, an import that takes a backup first, Markdown of a
 * chat, and a restore that brings back a chat purged after the backup without touching the rest.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfabApi } from '@shared/client';
import { removeDataDir, startChatCore, type ChatCore } from '../../../tests/helpers/chatCore';
import { fixture } from '../import/testing/fixtures';
import { backupsToDrop } from './files';

const cores: ChatCore[] = [];
afterAll(async () => {
  for (const c of cores) {
    await c.close().catch(() => {});
    removeDataDir(c.dataDir);
  }
});

async function core() {
  const c = await startChatCore({ retention: false });
  cores.push(c);
  return c;
}

async function importFile(api: ConfabApi, path: string) {
  const { uploadId } = await api.import.upload({ name: path.split('/').pop()!, chunk: readFileSync(path).toString('base64'), last: true });
  const preview = await api.import.preview({ uploadId });
  const { jobId } = await api.import.start({ uploadId });
  return { preview, report: await api.import.result({ jobId }) };
}

const counts = async (c: ChatCore) => {
  const sums = await c.core.db.call('maintenance.checksum', undefined);
  return { sessions: sums.chat_sessions?.rows, messages: sums.messages?.rows };
};

describe('export, backup and restore', () => {
  it('a Confab export imports into another data folder with the same counts; Markdown shows the chosen branch', async () => {
    const a = await core();
    await importFile(a.api, fixture('chatgpt/librechat-real-export-nested-branches.json'));
    await importFile(a.api, fixture('claude/chatlore-bulk-branch-thinking-tools-legacy.json'));
    expect((await a.api.backup.list({})).backups.map((b) => b.reason)).toEqual(['pre-import', 'pre-import']);
    const exported = await a.api.export.confab({});
    expect(exported.manifest.rows).toMatchObject({ chat_sessions: 3, messages: 17 });

    const b = await core();
    const { preview, report } = await importFile(b.api, exported.path);
    expect(preview).toMatchObject({ source: 'confab', conversations: 3, messages: 17 });
    expect(report.verification).toMatchObject({ conversationsRead: 3, messagesRead: 17, conversationsWritten: 3, messagesWritten: 17, mismatches: [] });
    expect(await counts(b)).toEqual({ sessions: 3, messages: 17 });

    const list = await b.api.sessions.list({ view: 'active', limit: 10 });
    const rust = list.items.find((s) => s.title === 'Rust lifetimes')!;
    const { fileName, markdown } = await b.api.export.markdown({ sessionId: rust.id });
    expect(fileName).toBe('Rust-lifetimes.md');
    expect(markdown).toContain('# Rust lifetimes');
    // The chosen branch is the retried answer; the first answer is on the other branch.
    expect(markdown).toContain('Retried answer');
    expect(markdown).not.toContain('x does not live long enough');
  });

  it('restore merges: a chat purged after the backup comes back, a chat made after it stays', async () => {
    const c = await core();
    await importFile(c.api, fixture('other/openwebui-export-reasoning-toolcall.json'));
    const backup = await c.api.backup.create({});
    expect(backup).toMatchObject({ reason: 'manual' });
    const [victim] = (await c.api.sessions.list({ view: 'active', limit: 10 })).items;
    await c.api.sessions.trash({ id: victim!.id });
    await c.api.sessions.purge({ id: victim!.id });
    const fresh = await c.api.sessions.create({ title: 'Made after the backup' });
    expect(await counts(c)).toEqual({ sessions: 3, messages: 4 });
    const report = await c.api.backup.restore({ file: backup.file });
    expect(report.mismatches).toEqual([]);
    expect(report.inserted).toMatchObject({ chat_sessions: 1, messages: 2 });
    expect(await counts(c)).toEqual({ sessions: 4, messages: 6 });
    expect((await c.api.sessions.get({ id: fresh.id })).title).toBe('Made after the backup');
    expect((await c.api.backup.list({})).backups.map((b) => b.reason)).toContain('pre-restore');
    await expect(c.api.backup.restore({ file: 'confab-backup-manual-nope.jsonl.gz' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('retention keeps 7 daily, one a week for 4 weeks, manual ones, and recent pre-import/restore backups', () => {
    const now = Date.parse('2026-06-30T12:00:00Z');
    const day = (d: number, reason = 'daily') => ({ file: `${reason}-${d}`, reason, sizeBytes: 1, createdAt: new Date(now - d * 86_400_000).toISOString() });
    const all = [...Array.from({ length: 40 }, (_, d) => day(d)), day(3, 'manual'), day(2, 'pre-import'), day(20, 'pre-restore')].sort((x, y) =>
      y.createdAt.localeCompare(x.createdAt),
    );
    const dropped = new Set(backupsToDrop(all, now).map((b) => b.file));
    for (let d = 0; d < 7; d++) expect(dropped.has(`daily-${d}`)).toBe(false);
    expect(dropped.has('daily-7')).toBe(false); // the newest of week 1
    expect(dropped.has('daily-8')).toBe(true);
    expect(dropped.has('daily-35')).toBe(true);
    expect(dropped.has('manual-3')).toBe(false);
    expect(dropped.has('pre-import-2')).toBe(false);
    expect(dropped.has('pre-restore-20')).toBe(true);
  });
});
