/**
 * Attachments' bytes on the team server (migrations-server 0006, src/main/sync/blobs.ts), on
 * every real PostgreSQL a team may run: the owner's device uploads its files in chunks from its
 * blob store (resumable), a teammate's device fetches a file of a shared chat when it is first
 * read (the attachment service's remoteBlobs hook), a member of another team and a member
 * without the chat are refused, a forged row cannot read someone else's file, bytes that do not
 * hash to their name are never kept, and a team's quota refuses an upload with a sentence.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '../../src/shared/errors';
import { uuidv7 } from '../../src/shared/ids';
import type { Attachment } from '../../src/shared/types';
import { BlobStore, blobsDirOf } from '../../src/main/attachments/blobStore';
import { setBlobQuota, blobStorage } from '../../src/main/db/sync/admin/blobQuota';
import { blobStatus, fetchBlob, pushBlobs, wireBlobSync, type BlobSyncHost } from '../../src/main/sync/blobs';
import { removeDataDir, startChatCore, type ChatCore } from '../helpers/chatCore';
import { makePng } from '../helpers/files';
import { testServers } from '../helpers/servers';
import { team as teamCli } from '../../scripts/team';
import { messageRow, numbered, push, sessionRow, startTeamServer, type Member, type TeamServer } from './helpers/team';

const servers = await testServers();
const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function sqlState(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the statement to fail').not.toBeNull();
  return String((err as { code?: unknown }).code);
}

/** A desktop: a real core whose files are uploaded through the contract and sent in a message. */
interface Device {
  core: ChatCore;
  blobs: BlobStore;
}

async function device(): Promise<Device> {
  const core = await startChatCore({ retention: false });
  return { core, blobs: new BlobStore(blobsDirOf(core.dataDir)) };
}

async function attach(d: Device, sessionId: string, fileName: string, bytes: Buffer): Promise<Attachment> {
  const api = d.core.api;
  const began = await api.attachments.uploadBegin({ sessionId, fileName, sizeBytes: bytes.length });
  for (let offset = 0; offset < bytes.length; offset += began.chunkBytes) {
    await api.attachments.uploadChunk({
      uploadId: began.uploadId,
      offset,
      data: bytes.subarray(offset, offset + began.chunkBytes).toString('base64'),
    });
  }
  const draft = await api.attachments.uploadFinish({ uploadId: began.uploadId });
  // Sent with a message, as chat.send does (no model call needed here).
  await d.core.core.db.call('generation.begin', {
    sessionId,
    user: { parentId: null, content: `with ${fileName}`, attachmentIds: [draft.id] },
    providerId: null,
    model: null,
  });
  return draft;
}

/** The server's copy of a file's row, pushed as the owner's sync engine would. */
function attachmentRow(
  m: Member,
  sessionId: string,
  messageId: string,
  file: { sha256: string; sizeBytes: number; fileName?: string },
) {
  const h = m.clock.now();
  return {
    id: uuidv7(),
    owner_id: m.userId,
    session_id: sessionId,
    message_id: messageId,
    position: 0,
    file_name: file.fileName ?? 'file.bin',
    media_type: 'application/octet-stream',
    size_bytes: file.sizeBytes,
    sha256: file.sha256,
    status: 'ready',
    error: null,
    extracted_text: null,
    width: null,
    height: null,
    bytes_present: true,
    deleted_at: null,
    status_hlc: h,
    deleted_hlc: h,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
  };
}

/**
 * Pushes a chat with one message carrying these files; returns the chat's id. The attachment
 * rows are written by the admin connection: sync.push (migrations-server 0002) does not apply
 * the attachments table yet (its table list stops at tool_executions), a gap left to the sync
 * protocol's owners.
 */
async function pushChat(
  admin: pg.Client,
  m: Member,
  files: { sha256: string; sizeBytes: number }[],
  visibility: 'team' | 'private',
): Promise<string> {
  const s = sessionRow(m, { visibility });
  const msg = messageRow(m, s.id);
  const answer = await push(
    m,
    numbered(m, [
      { tbl: 'chat_sessions', row: s },
      { tbl: 'messages', row: msg },
    ]),
  );
  expect(answer).toMatchObject({ status: 'ok', rejected: [] });
  for (const f of files) {
    const row = attachmentRow(m, s.id, msg.id, f);
    const columns = Object.keys(row);
    await admin.query(
      `INSERT INTO public.attachments (${columns.join(', ')}) SELECT ${columns.map((c) => `r.${c}`).join(', ')}
         FROM jsonb_populate_record(NULL::public.attachments, $1::jsonb) r`,
      [JSON.stringify(row)],
    );
  }
  return s.id;
}

/**
 * Gives `to` the attachment rows of `from` without their bytes, as a pull would (the sync
 * engine's pull of attachment rows is not built yet): a Confab export with the blob lines left
 * out, restored. Returns the number of rows restored.
 */
async function exportRowsOnly(from: Device, to: Device): Promise<number> {
  const exported = await from.core.api.export.confab({});
  const rowsOnly = readFileSync(exported.path, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('{"blob":') && !l.startsWith('{"b":'))
    .map((l) =>
      l.startsWith('{"manifest":') ? JSON.stringify({ manifest: { ...JSON.parse(l).manifest, blobs: undefined } }) : l,
    );
  const path = join(to.core.dataDir, `rows-only-${Date.now()}.jsonl`);
  writeFileSync(path, rowsOnly.join('\n'));
  const report = await to.core.core.db.startJob('restore', {
    path,
    schemaVersion: to.core.core.db.info.schemaVersion,
    blobsDir: to.blobs.dir,
  }).result;
  return Object.values(report.read).reduce((a, b) => a + b, 0);
}

const devices: Device[] = [];
afterAll(async () => {
  for (const d of devices) {
    await d.core.close().catch(() => {});
    removeDataDir(d.core.dataDir);
  }
});

describe.each(servers)('attachments’ bytes on the team server ($name)', ({ url }) => {
  let team: TeamServer;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let aliceDevice: Device;
  let bobDevice: Device;
  let big: Buffer;
  let png: Buffer;
  let bigFile: Attachment;
  let pngFile: Attachment;

  beforeAll(async () => {
    team = await startTeamServer(url);
    alice = await team.addMember('alice');
    bob = await team.addMember('bob');
    carol = await team.addMember('carol', 'other team');
    aliceDevice = await device();
    bobDevice = await device();
    devices.push(aliceDevice, bobDevice);
    const chat = await aliceDevice.core.api.sessions.create({ title: 'Shared files' });
    // Three server chunks: two full and a part.
    big = Buffer.from(
      randomBytes(2 * MiB)
        .toString('hex')
        .slice(0, 2 * MiB + 12345),
    );
    png = makePng(40, 30);
    bigFile = await attach(aliceDevice, chat.id, 'data.txt', big);
    pngFile = await attach(aliceDevice, chat.id, 'chart.png', png);
    await pushChat(team.admin, alice, [bigFile, pngFile], 'team');
  });
  afterAll(async () => {
    await team?.close();
  });

  it('only members may execute the blob functions (not PUBLIC)', async () => {
    const { rows } = await team.admin.query<{ put: boolean; get: boolean; status: boolean }>(`
      SELECT has_function_privilege('public', 'sync.put_blob_chunk(text, bigint, integer, bytea)', 'EXECUTE') AS put,
             has_function_privilege('public', 'sync.get_blob_chunk(text, integer)', 'EXECUTE') AS get,
             has_function_privilege('public', 'sync.blob_status(text)', 'EXECUTE') AS status`);
    expect(rows[0]).toEqual({ put: false, get: false, status: false });
  });

  it('the owner uploads in chunks, resumes a stopped upload, and a second push sends nothing', async () => {
    expect(await blobStatus(alice.client, bigFile.sha256)).toMatchObject({
      status: 'absent',
      may_upload: true,
      chunks: 3,
    });
    // Stopped after the large file's first chunk, as when the app closes mid-upload.
    const stop = new AbortController();
    const first = await pushBlobs(aliceDevice.core.core.db, alice.client, {
      blobs: aliceDevice.blobs,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.sha256 === bigFile.sha256) stop.abort();
      },
    });
    expect(first.uploaded).not.toContain(bigFile.sha256);
    expect(await blobStatus(alice.client, bigFile.sha256)).toMatchObject({ status: 'partial', have: [0] });

    const known = new Set<string>();
    const rest = await pushBlobs(aliceDevice.core.core.db, alice.client, { blobs: aliceDevice.blobs, known });
    // 3 + 1 chunks in all: the resumed push sends only what the first one did not.
    expect(first.chunksSent + rest.chunksSent).toBe(4);
    expect([...first.uploaded, ...rest.uploaded].sort()).toEqual([bigFile.sha256, pngFile.sha256].sort());
    expect(rest.refused).toEqual([]);
    expect(await blobStatus(alice.client, bigFile.sha256)).toMatchObject({ status: 'complete', size: big.length });

    const again = await pushBlobs(aliceDevice.core.core.db, alice.client, { blobs: aliceDevice.blobs });
    expect(again).toMatchObject({ chunksSent: 0, alreadyThere: 2, uploaded: [] });
    const skipped = await pushBlobs(aliceDevice.core.core.db, alice.client, { blobs: aliceDevice.blobs, known });
    expect(skipped).toMatchObject({ chunksSent: 0, alreadyThere: 0 });
  });

  it('a teammate on the shared chat fetches a file when it is first read, byte-identical', async () => {
    // Bob's device has the rows (as a pull would bring them) but not the bytes.
    const exported = await aliceDevice.core.api.export.confab({});
    const rowsOnly = readFileSync(exported.path, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('{"blob":') && !l.startsWith('{"b":'))
      .map((l) =>
        l.startsWith('{"manifest":')
          ? JSON.stringify({ manifest: { ...JSON.parse(l).manifest, blobs: undefined } })
          : l,
      );
    const path = join(bobDevice.core.dataDir, 'rows-only.jsonl');
    writeFileSync(path, rowsOnly.join('\n'));
    const job = bobDevice.core.core.db.startJob('restore', {
      path,
      schemaVersion: bobDevice.core.core.db.info.schemaVersion,
      blobsDir: bobDevice.blobs.dir,
    });
    await job.result;
    expect(await bobDevice.core.api.attachments.get({ id: bigFile.id })).toMatchObject({ bytesPresent: false });
    const before = await bobDevice.core.api.attachments
      .read({ id: bigFile.id, offset: 0, length: 10 })
      .catch((e: unknown) => e);
    expect((before as ConfabError).code).toBe('not_found');

    let fetches = 0;
    bobDevice.core.core.attachments.setRemoteBlobs({
      fetch: async (sha256) => {
        fetches++;
        await fetchBlob(bobDevice.core.core.db, bob.client, sha256, { blobs: bobDevice.blobs });
        return true;
      },
    });
    // Two reads at once (a viewer's pieces): one fetch.
    const [head, tail] = await Promise.all([
      bobDevice.core.api.attachments.read({ id: bigFile.id, offset: 0, length: MiB }),
      bobDevice.core.api.attachments.read({ id: bigFile.id, offset: MiB, length: MiB }),
    ]);
    expect(fetches).toBe(1);
    expect(Buffer.from(head.data, 'base64').equals(big.subarray(0, MiB))).toBe(true);
    expect(Buffer.from(tail.data, 'base64').equals(big.subarray(MiB, 2 * MiB))).toBe(true);
    expect(readFileSync(bobDevice.blobs.pathOf(bigFile.sha256)).equals(big)).toBe(true);
    expect(await bobDevice.core.api.attachments.get({ id: bigFile.id })).toMatchObject({ bytesPresent: true });
    bobDevice.core.core.attachments.setRemoteBlobs(null);
  });

  it('wired into a sync service: bytes go up a slice per round, and a read fetches only while connected', async () => {
    const chat = await aliceDevice.core.api.sessions.create({ title: 'More files' });
    const next = Buffer.from(
      randomBytes(MiB)
        .toString('hex')
        .slice(0, MiB + 777),
    );
    const file = await attach(aliceDevice, chat.id, 'next.txt', next);
    await pushChat(team.admin, alice, [file], 'team');
    const aliceHost: BlobSyncHost = { withServer: (fn) => fn(alice.client), afterRound: [] };
    const unwire = wireBlobSync(aliceHost, aliceDevice.core.core.db, aliceDevice.core.core.attachments, {
      bytesPerRound: 1,
    });
    expect(aliceHost.afterRound).toHaveLength(1);
    // One chunk per round: the file has two.
    await aliceHost.afterRound[0]!();
    expect(await blobStatus(alice.client, file.sha256)).toMatchObject({ status: 'partial', have: [0] });
    await aliceHost.afterRound[0]!();
    expect(await blobStatus(alice.client, file.sha256)).toMatchObject({ status: 'complete' });
    unwire();
    expect(aliceHost.afterRound).toHaveLength(0);

    // Bob's device, not connected: the file is simply not here. Connected: fetched on read.
    const offline: BlobSyncHost = {
      withServer: () => Promise.reject(new ConfabError('conflict', 'Team sync is not connected.')),
      afterRound: [],
    };
    const rows = await exportRowsOnly(aliceDevice, bobDevice);
    expect(rows).toBeGreaterThan(0);
    const unwireOffline = wireBlobSync(offline, bobDevice.core.core.db, bobDevice.core.core.attachments);
    const refused = await bobDevice.core.api.attachments
      .read({ id: file.id, offset: 0, length: 10 })
      .catch((e: unknown) => e);
    expect((refused as ConfabError).message).toMatch(/not on this device/);
    unwireOffline();
    const bobHost: BlobSyncHost = { withServer: (fn) => fn(bob.client), afterRound: [] };
    const unwireBob = wireBlobSync(bobHost, bobDevice.core.core.db, bobDevice.core.core.attachments);
    const read = await bobDevice.core.api.attachments.read({ id: file.id, offset: MiB, length: MiB });
    expect(Buffer.from(read.data, 'base64').equals(next.subarray(MiB))).toBe(true);
    unwireBob();
  });

  it('a member of another team is refused, and a row naming someone else’s file does not open it', async () => {
    expect(await blobStatus(carol.client, bigFile.sha256)).toEqual({ status: 'forbidden' });
    expect(await sqlState(carol.client.query('SELECT sync.get_blob_chunk($1, 0)', [bigFile.sha256]))).toBe('42501');
    const stranger = new BlobStore(join(bobDevice.core.dataDir, 'stranger-blobs'));
    const err = await fetchBlob(bobDevice.core.core.db, carol.client, pngFile.sha256, { blobs: stranger }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfabError);
    expect((err as ConfabError).code).toBe('forbidden');

    // Carol knows the hash and pushes her own row naming it: she still cannot read Alice's copy.
    await pushChat(team.admin, carol, [{ sha256: bigFile.sha256, sizeBytes: big.length }], 'private');
    expect(await blobStatus(carol.client, bigFile.sha256)).toMatchObject({ status: 'absent', may_upload: true });
    expect(await sqlState(carol.client.query('SELECT sync.get_blob_chunk($1, 0)', [bigFile.sha256]))).toBe('P0002');
    // Nor upload into Alice's file without a row of her own naming it.
    const { rows } = await carol.client.query('SELECT sync.put_blob_chunk($1, $2, 0, $3) AS r', [
      pngFile.sha256,
      png.length,
      png,
    ]);
    expect(rows[0].r).toMatchObject({ status: 'forbidden' });
  });

  it('a teammate cannot read a file on the owner’s private chat', async () => {
    const secret = Buffer.from('private notes, not for the team\n');
    await pushChat(team.admin, alice, [{ sha256: sha(secret), sizeBytes: secret.length }], 'private');
    const put = await alice.client.query('SELECT sync.put_blob_chunk($1, $2, 0, $3) AS r', [
      sha(secret),
      secret.length,
      secret,
    ]);
    expect(put.rows[0].r).toMatchObject({ status: 'complete' });
    expect(await blobStatus(bob.client, sha(secret))).toEqual({ status: 'forbidden' });
    expect(await sqlState(bob.client.query('SELECT sync.get_blob_chunk($1, 0)', [sha(secret)]))).toBe('42501');
  });

  it('bytes that do not hash to the file’s SHA-256 are never kept', async () => {
    const real = randomBytes(MiB + 10);
    const forged = Buffer.from(real);
    forged[MiB + 3] = forged[MiB + 3]! ^ 0xff;
    await pushChat(team.admin, bob, [{ sha256: sha(real), sizeBytes: real.length }], 'team');
    const put = (n: number, data: Buffer) =>
      bob.client.query('SELECT sync.put_blob_chunk($1, $2, $3, $4) AS r', [sha(real), real.length, n, data]);
    expect((await put(0, forged.subarray(0, MiB))).rows[0].r).toMatchObject({ status: 'ok' });
    expect((await put(1, forged.subarray(MiB, MiB + 5))).rows[0].r).toMatchObject({ status: 'bad_chunk' });
    expect((await put(1, forged.subarray(MiB))).rows[0].r).toMatchObject({ status: 'corrupt' });
    expect(await blobStatus(bob.client, sha(real))).toMatchObject({ status: 'absent', have: [] });
    const { rows } = await team.admin.query('SELECT count(*)::int AS n FROM sync.blob_chunks WHERE sha256 = $1', [
      sha(real),
    ]);
    expect(rows[0].n).toBe(0);
    // The real bytes are taken.
    await put(0, real.subarray(0, MiB));
    expect((await put(1, real.subarray(MiB))).rows[0].r).toMatchObject({ status: 'complete' });
  });

  it('a team over its quota is refused with a sentence; the admin raises it with team set-quota', async () => {
    const teamId = (await team.admin.query('SELECT team_id FROM sync.users WHERE user_id = $1', [bob.userId])).rows[0]
      .team_id as string;
    const used = (await blobStorage(team.admin)).find((t) => t.team === teamId)!.usedBytes;
    expect(used).toBeGreaterThan(2 * MiB);
    await setBlobQuota(team.admin, { team: teamId, megabytes: (used + 1000) / MiB });

    const bobChat = await bobDevice.core.api.sessions.create({ title: 'Bob’s files' });
    const large = Buffer.from(
      randomBytes(MiB)
        .toString('hex')
        .slice(0, MiB + 5000),
    );
    const file = await attach(bobDevice, bobChat.id, 'large.txt', large);
    await pushChat(team.admin, bob, [file], 'team');
    const refused = await pushBlobs(bobDevice.core.core.db, bob.client, { blobs: bobDevice.blobs });
    expect(refused.uploaded).toEqual([]);
    expect(refused.refused).toEqual([
      {
        sha256: file.sha256,
        status: 'quota_exceeded',
        message: expect.stringMatching(/^The team's file storage is full: \d+ MB of \d+ MB used/),
      },
    ]);
    expect(await blobStatus(bob.client, file.sha256)).toMatchObject({ status: 'absent' });

    const out: string[] = [];
    expect(await teamCli(['set-quota', '100', '--team', teamId, '--url', team.url], (l) => out.push(l))).toBe(0);
    expect(out).toEqual([`Team ${teamId} may keep 100 MB of attached files.`]);
    const accepted = await pushBlobs(bobDevice.core.core.db, bob.client, { blobs: bobDevice.blobs });
    expect(accepted.uploaded).toEqual([file.sha256]);
    expect((await blobStorage(team.admin)).find((t) => t.team === teamId)).toMatchObject({
      quotaBytes: 100 * MiB,
      usedBytes: used + large.length,
    });

    // The default for every team, set at init; another team's figure is its own.
    expect(await teamCli(['set-quota', '0', '--url', team.url], () => {})).toBe(0);
    const other = (await blobStorage(team.admin)).find((t) => t.team === 'other team')!;
    expect(other.quotaBytes).toBe(0);
    const carolPut = await carol.client.query('SELECT sync.put_blob_chunk($1, $2, 0, $3) AS r', [
      bigFile.sha256,
      big.length,
      big.subarray(0, MiB),
    ]);
    expect(carolPut.rows[0].r).toMatchObject({ status: 'quota_exceeded' });
  });
});
