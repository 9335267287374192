/**
 * Import through the contract on a real core (DB worker, PGlite): upload, dry run, the job with
 * progress and its verification report, a second import that adds nothing, cancel and a file
 * that breaks midway (both undo exactly what was added), and a mismatch found by the checks
 * (the whole import undone).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfabApi } from '@shared/client';
import { removeDataDir, startChatCore, type ChatCore } from '../../../tests/helpers/chatCore';
import { pgliteDb } from '../db/database';
import { openPglite, PGDATA } from '../db/open';
import { DB_WORKER_TS } from '../../../tests/helpers/chatCore';
import { importWorkerBeside } from './parser';
import { startImport } from './run';
import { fixture, syntheticChatGpt, tempFile } from './testing/fixtures';

const cores: ChatCore[] = [];
afterAll(async () => {
  for (const c of cores) {
    await c.close().catch(() => {});
    removeDataDir(c.dataDir);
  }
});

async function core(dataDir?: string) {
  const c = await startChatCore({ retention: false, dataDir });
  cores.push(c);
  return c;
}

async function upload(api: ConfabApi, path: string): Promise<string> {
  const bytes = readFileSync(path);
  const name = path.split('/').pop()!;
  let uploadId: string | undefined;
  const piece = 64 * 1024;
  for (let at = 0; at < bytes.length || uploadId === undefined; at += piece) {
    const last = at + piece >= bytes.length;
    ({ uploadId } = await api.import.upload({
      uploadId,
      name,
      chunk: bytes.subarray(at, at + piece).toString('base64'),
      last,
    }));
    if (last) break;
  }
  return uploadId!;
}

const importedCounts = (c: ChatCore) =>
  c.core.db
    .call('maintenance.checksum', undefined)
    .then((sums) => ({ sessions: sums.chat_sessions?.rows, messages: sums.messages?.rows }));

describe('import through the contract', () => {
  it('previews, imports with progress and a verification report, and a second import adds nothing', async () => {
    const c = await core();
    const uploadId = await upload(c.api, fixture('chatgpt/cosmax-utils-gpt5-2025-thoughts-canvas-branch-trimmed.json'));
    const preview = await c.api.import.preview({ uploadId });
    expect(preview).toMatchObject({ source: 'chatgpt', conversations: 9, messages: 103, branchPoints: 1, skipped: [] });
    const { jobId } = await c.api.import.start({ uploadId });
    const report = await c.api.import.result({ jobId });
    expect(report.verification).toMatchObject({
      conversationsRead: 9,
      messagesRead: 103,
      conversationsWritten: 9,
      messagesWritten: 103,
      conversationsExisting: 0,
      messagesExisting: 0,
      mismatches: [],
      searchFound: true,
    });
    expect(report.verification.sampled).toBeGreaterThanOrEqual(18);
    const progress = await c.waitFor('job.progress', (p) => p.id === jobId && p.done === 9);
    expect(progress).toMatchObject({ kind: 'import', total: 9 });
    expect(await c.waitFor('job.finished', (p) => p.id === jobId)).toMatchObject({ status: 'succeeded' });
    // The sidebar hears of the new chats, said to come from an import.
    expect(
      c.events.some((e) => e.name === 'sessions.changed' && (e.payload as { source?: string }).source === 'import'),
    ).toBe(true);

    const again = await c.api.import.start({
      uploadId: await upload(c.api, fixture('chatgpt/cosmax-utils-gpt5-2025-thoughts-canvas-branch-trimmed.json')),
    });
    const second = await c.api.import.result({ jobId: again.jobId });
    expect(second.verification).toMatchObject({
      conversationsWritten: 0,
      messagesWritten: 0,
      conversationsExisting: 9,
      messagesExisting: 103,
      mismatches: [],
    });
    expect(await importedCounts(c)).toMatchObject({ sessions: 9, messages: 103 });
    const hits = await c.api.search.query({ q: 'WebAssembly', view: 'all', limit: 5 });
    expect(hits.hits.length).toBeGreaterThan(0);
  });

  it('a wrong file and a truncated file are refused with a sentence before anything is written', async () => {
    const c = await core();
    const wrong = await upload(c.api, tempFile('notes.json', { hello: 'world' }));
    await expect(c.api.import.preview({ uploadId: wrong })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/not an export/),
    });
    const text = JSON.stringify(syntheticChatGpt(3, 2));
    const cut = await upload(c.api, tempFile('conversations.json', text.slice(0, -40)));
    await expect(c.api.import.start({ uploadId: cut })).rejects.toMatchObject({
      message: expect.stringMatching(/ends in the middle/),
    });
    expect(await importedCounts(c)).toMatchObject({ sessions: 0, messages: 0 });
  });

  it('cancel undoes what the job had written', async () => {
    const c = await core();
    const uploadId = await upload(c.api, tempFile('conversations.json', syntheticChatGpt(400, 6)));
    const { jobId } = await c.api.import.start({ uploadId });
    await c.waitFor('job.progress', (p) => p.id === jobId && p.done >= 1);
    expect(await c.api.jobs.cancel({ id: jobId })).toEqual({ cancelled: true });
    expect(await c.waitFor('job.finished', (p) => p.id === jobId)).toMatchObject({ status: 'cancelled' });
    await expect(c.api.import.result({ jobId })).rejects.toMatchObject({ message: 'The job was cancelled.' });
    expect(await importedCounts(c)).toMatchObject({ sessions: 0, messages: 0 });
  });

  it('cancel in the middle of a newer export leaves the chats an earlier import wrote whole, and nothing of the new one', async () => {
    const c = await core();
    const first = await c.api.import.start({
      uploadId: await upload(c.api, tempFile('conversations.json', syntheticChatGpt(10, 4))),
    });
    expect((await c.api.import.result({ jobId: first.jobId })).verification).toMatchObject({
      conversationsWritten: 10,
      messagesWritten: 40,
    });
    // A newer export: the same ten chats with two more messages each, and 390 new chats.
    const { jobId } = await c.api.import.start({
      uploadId: await upload(c.api, tempFile('conversations.json', syntheticChatGpt(400, 6))),
    });
    await c.waitFor('job.progress', (p) => p.id === jobId && p.done >= 1);
    await c.api.jobs.cancel({ id: jobId });
    expect(await c.waitFor('job.finished', (p) => p.id === jobId)).toMatchObject({ status: 'cancelled' });
    expect(await importedCounts(c)).toMatchObject({ sessions: 10, messages: 40 });
    // Each chat whole: counters equal rows, trees and chosen branches intact.
    expect(await c.core.db.call('data.verify', undefined)).toEqual({ sessions: 10, messages: 40, problems: [] });
  });

  it('search finds text of a chat written in the middle of a batch as soon as the import ends', async () => {
    const c = await core();
    const file = tempFile('conversations.json', syntheticChatGpt(250, 6, { '137/3': 'quixotically' }));
    const { jobId } = await c.api.import.start({ uploadId: await upload(c.api, file) });
    const report = await c.api.import.result({ jobId });
    expect(report.verification).toMatchObject({
      conversationsWritten: 250,
      messagesWritten: 1500,
      searchFound: true,
      mismatches: [],
    });
    const hits = await c.api.search.query({ q: 'quixotically', view: 'all', limit: 5 });
    expect(hits.hits.map((h) => h.sessionTitle)).toEqual(['Synthetic 137']);
    const inChat = await c.api.search.query({ q: 'Conversation 137 message 3', view: 'all', limit: 5 });
    expect(inChat.hits.some((h) => h.sessionTitle === 'Synthetic 137')).toBe(true);
    // The import stored its messages unindexed; the worker's search.index job follows it, after
    // which the same text is found through the index, stemmed ("quixotic" -> quixot).
    expect(await c.waitFor('job.finished', (p) => p.kind === 'search.index', 60_000)).toMatchObject({ status: 'succeeded' });
    const stemmed = await c.api.search.query({ q: 'quixotic ', view: 'all', limit: 5 });
    expect(stemmed.hits.filter((h) => h.kind === 'message').map((h) => h.sessionTitle)).toEqual(['Synthetic 137']);
  });

  it('a file that breaks after some conversations were written is undone whole', async () => {
    const c = await core();
    const text = JSON.stringify(syntheticChatGpt(300, 4));
    const job = startImport(c.core.db, [tempFile('conversations.json', `${text.slice(0, -200)}`)], {
      source: 'chatgpt',
      total: null,
      parser: { workerPath: importWorkerBeside(DB_WORKER_TS) },
    });
    await expect(job.result).rejects.toMatchObject({ message: expect.stringMatching(/ends in the middle/) });
    expect(await importedCounts(c)).toMatchObject({ sessions: 0, messages: 0 });
  });

  it('a mismatch found by the checks undoes the whole import', async () => {
    const setup = await core();
    const dataDir = setup.dataDir;
    await setup.close();
    cores.pop();
    // A database that silently changes one message on the way in: the field-by-field check sees it.
    // ENABLE ALWAYS: the import's bulk INSERT runs with ordinary triggers off (migration 0021).
    const pg = await openPglite(join(dataDir, PGDATA));
    await pgliteDb(pg).exec(`
      CREATE FUNCTION test_tamper() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.content = 'Hi there!' THEN NEW.content := 'tampered'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER test_tamper BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_tamper();
      ALTER TABLE messages ENABLE ALWAYS TRIGGER test_tamper;`);
    await pg.close();
    const c = await core(dataDir);
    const uploadId = await upload(c.api, fixture('other/openwebui-export-reasoning-toolcall.json'));
    const { jobId } = await c.api.import.start({ uploadId });
    await expect(c.api.import.result({ jobId })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/undone.*"Simple linear chat": message sa2 differs in its text/),
    });
    expect(await importedCounts(c)).toMatchObject({ sessions: 0, messages: 0 });
  });
});
