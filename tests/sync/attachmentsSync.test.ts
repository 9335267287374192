/**
 * A file attached on one desktop reaches a teammate's desktop through team sync alone: the
 * attachment row travels through the sync engine (push, pull, move-in with its shared chat), the
 * bytes through the blob functions wired into the SyncService (uploaded after a round, fetched
 * when first read). Two real cores, two real login roles, one real PostgreSQL; nothing is
 * inserted on the server by hand.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Attachment, SyncStatus } from '../../src/shared/types';
import { removeDataDir, startChatCore, type ChatCore } from '../helpers/chatCore';
import { startTeamServer, type Member, type TeamServer } from './helpers/team';

const timing = {
  debounceMs: 50,
  pollMs: 500,
  waitingPollMs: 500,
  notifyRetryMs: 200,
  backoffBaseMs: 100,
  backoffCapMs: 1_000,
  connectTimeoutMs: 5_000,
};

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const settled = (s: SyncStatus) => (s.state === 'idle' || s.state === 'waiting') && s.pending === 0;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function attach(core: ChatCore, sessionId: string, fileName: string, bytes: Buffer): Promise<Attachment> {
  const began = await core.api.attachments.uploadBegin({ sessionId, fileName, sizeBytes: bytes.length });
  for (let offset = 0; offset < bytes.length; offset += began.chunkBytes) {
    await core.api.attachments.uploadChunk({
      uploadId: began.uploadId,
      offset,
      data: bytes.subarray(offset, offset + began.chunkBytes).toString('base64'),
    });
  }
  const draft = await core.api.attachments.uploadFinish({ uploadId: began.uploadId });
  // Sent with a message, as chat.send does (no model call needed for the file to be kept).
  await core.core.db.call('generation.begin', {
    sessionId,
    user: { parentId: null, content: `with ${fileName}`, attachmentIds: [draft.id] },
    providerId: null,
    model: null,
  });
  return draft;
}

describe('a file attached on one desktop reaches a teammate through sync', () => {
  let team: TeamServer;
  let alice: Member;
  let bob: Member;
  const cores: ChatCore[] = [];

  beforeAll(async () => {
    team = await startTeamServer(inject('postgresUrl'));
    alice = await team.addMember('alice');
    bob = await team.addMember('bob');
  }, 120_000);

  afterAll(async () => {
    for (const c of cores) {
      await c.close().catch(() => undefined);
      removeDataDir(c.dataDir);
    }
    await team?.close();
  });

  it('the row arrives with the shared chat, and the bytes come down byte-identical when first read', async () => {
    const a = await startChatCore({ retention: false, sync: { timing } });
    const b = await startChatCore({ retention: false, sync: { timing } });
    cores.push(a, b);
    await a.api.sync.connect({ url: alice.url });
    await b.api.sync.connect({ url: bob.url });

    const chat = await a.api.sessions.create({ title: 'Quarterly numbers' });
    // Two server chunks (1 MiB each): the upload and the fetch both page.
    const bytes = Buffer.from(randomBytes(700 * 1024).toString('hex'));
    const file = await attach(a, chat.id, 'numbers.csv', bytes);
    await a.api.sync.share({ sessionId: chat.id, shared: true });
    await until(() => a.api.sync.status({}), settled, 'Alice in sync');
    // The bytes go up after a good round (a slice per round): wait until the server has them all.
    await until(
      async () => {
        await a.api.sync.now({});
        const { rows } = await team.admin.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM public.attachments WHERE sha256 = $1`,
          [file.sha256],
        );
        return Number(rows[0]!.n);
      },
      (n) => n === 1,
      'the attachment row on the server',
    );

    // Bob's device: the chat moves in with its file's row, bytes absent until read.
    await until(
      () => b.api.sync.teamSessions({ limit: 50 }),
      (list) => list.some((s) => s.id === chat.id),
      'the shared chat on Bob’s device',
    );
    const row = await until(
      () => b.api.attachments.get({ id: file.id }).catch(() => null),
      (r) => r !== null,
      'the attachment row on Bob’s device',
    );
    expect(row).toMatchObject({ sha256: file.sha256, fileName: 'numbers.csv', sizeBytes: bytes.length });

    // First read: fetched from the server through Bob's connection (retried while Alice's upload
    // may still be finishing its last slice), then served from Bob's own blob store.
    const first = await until(
      () => b.api.attachments.read({ id: file.id, offset: 0 }).catch(() => null),
      (r) => r !== null,
      'the bytes readable on Bob’s device',
    );
    const pieces = [Buffer.from(first!.data, 'base64')];
    for (let offset = pieces[0]!.length; offset < bytes.length;) {
      const piece = Buffer.from((await b.api.attachments.read({ id: file.id, offset })).data, 'base64');
      expect(piece.length).toBeGreaterThan(0);
      pieces.push(piece);
      offset += piece.length;
    }
    const got = Buffer.concat(pieces);
    expect(got.length).toBe(bytes.length);
    expect(sha(got)).toBe(file.sha256);
    expect(await b.api.attachments.get({ id: file.id })).toMatchObject({ bytesPresent: true });
  }, 600_000);
});
