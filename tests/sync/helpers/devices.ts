/**
 * Cheap desktops for sync proofs: an in-memory PGlite loaded from the run's migrated template
 * (read once per test file as a tarball, so a new device costs one WASM start, no initdb, no
 * directory copy), with its own client id like a real first run. A device can be cloned as a
 * copied data folder would be (same client id, same outbox, same cursor).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { inject } from 'vitest';
import { pgliteDb, type Db } from '../../../src/main/db/database';
import { keepByteOrderMarkInPglite } from '../../../src/main/db/keepByteOrderMark';
import { sql } from '../../../src/main/db/sql';
import { syncRound, type SyncOptions, type SyncRoundResult } from '../../../src/main/db/sync/engine';
import { ensureLocalUser } from '../../../src/main/db/users/repository';
import { SCHEMA_VERSION } from './team';

export interface Device {
  db: Db;
  pglite: PGlite;
  /** This device's client id (confab_hlc.node). */
  clientId(): Promise<string>;
  close(): Promise<void>;
}

let template: Promise<Blob> | undefined;
let wasm: { module: WebAssembly.Module; fsBundle: Blob } | undefined;

/** PGlite's WASM compiled once per test file: a new instance then starts in about a second. */
async function compiledWasm() {
  if (!wasm) {
    const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    wasm = {
      module: await WebAssembly.compile(readFileSync(join(dist, 'pglite.wasm'))),
      fsBundle: new Blob([readFileSync(join(dist, 'pglite.data'))]),
    };
  }
  return wasm;
}

/** The migrated template as an uncompressed tarball, made once per test file. */
function templateTarball(): Promise<Blob> {
  template ??= (async () => {
    keepByteOrderMarkInPglite();
    const dir = mkdtempSync(join(tmpdir(), 'confab-sync-template-'));
    try {
      cpSync(inject('pgliteTemplateDir'), join(dir, 'pgdata'), { recursive: true });
      const instance = await PGlite.create(join(dir, 'pgdata'), { extensions: { pg_trgm } });
      const blob = await instance.dumpDataDir('none');
      await instance.close();
      return blob;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return template;
}

async function open(from: Blob): Promise<Device> {
  keepByteOrderMarkInPglite();
  const { module, fsBundle } = await compiledWasm();
  const pglite = await PGlite.create({
    loadDataDir: from,
    extensions: { pg_trgm },
    pgliteWasmModule: module,
    fsBundle,
  });
  const db = pgliteDb(pglite);
  return {
    db,
    pglite,
    async clientId() {
      return (await db.query<{ id: string }>(sql`SELECT confab_hlc_node() AS id`))[0]!.id;
    },
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}

/**
 * A new desktop with its local user and its own client id. (Every copy of the build-time
 * template carries the same confab_hlc.node id; a real install would need a fresh one too.)
 */
export async function newDevice(): Promise<Device> {
  const device = await open(await templateTarball());
  await ensureLocalUser(device.db);
  await device.db.exec(`UPDATE confab_hlc.node SET id = left(md5(random()::text || clock_timestamp()::text), 16)`);
  return device;
}

/** Tables a device's data lives in (resetDevice empties them; settings and prices stay). */
const DEVICE_DATA = [
  'users',
  'chat_sessions',
  'messages',
  'generation_runs',
  'tool_executions',
  'attachments',
  'session_user_state',
  'session_tags',
  'app_logs',
  'usage_rollup_daily',
  'usage_rollup_quarter',
  'usage_rollup_session',
  'sync_outbox',
  'sync_pending',
  'sync_state',
];

/**
 * Makes a used device a new one (no rows, never synced, a new client id) in a few milliseconds,
 * so a property test with hundreds of runs reuses a few PGlite instances instead of starting
 * new ones (a second each).
 */
export async function resetDevice(device: Device): Promise<void> {
  await device.db.exec(`TRUNCATE ${DEVICE_DATA.join(', ')} CASCADE`);
  await ensureLocalUser(device.db);
  await device.db.exec(`UPDATE confab_hlc.node SET id = left(md5(random()::text || clock_timestamp()::text), 16)`);
}

/** A copy of this device's data folder, as a user copying it to a second machine makes. */
export async function cloneDevice(device: Device): Promise<Device> {
  return open(await device.pglite.dumpDataDir('none'));
}

/**
 * A chat of `messages` replies in one chain, written by this device's local user, as the app
 * writes them (depths from 0); returns the chat's id.
 */
export async function writeChat(device: Device, title: string, messages: number): Promise<string> {
  const [chat] = await device.db.query<{ id: string }>(sql`
    INSERT INTO chat_sessions (id, owner_id, title) VALUES (gen_random_uuid(), confab_device_user(), ${title})
    RETURNING id::text`);
  await device.db.query(sql`
    INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content)
    SELECT md5(${chat!.id} || g)::uuid, confab_device_user(), ${chat!.id}::uuid,
           CASE WHEN g > 1 THEN md5(${chat!.id} || (g - 1))::uuid END, g - 1, 'user', ${title} || ' ' || g
      FROM generate_series(1, ${messages}) g`);
  return chat!.id;
}

/** A device's connection to the team server as a member: one pg client per device. */
export async function link(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a test may end this connection on purpose (a lost ack, a stall)
  await client.connect();
  return client;
}

export function sync(
  device: Device,
  server: pg.ClientBase,
  options: Partial<SyncOptions> = {},
): Promise<SyncRoundResult> {
  return syncRound(device.db, server, { schemaVersion: SCHEMA_VERSION, ...options });
}

/** Synced columns a user sees, for comparing a device with the server as that user reads it. */
export async function userView(query: (text: string) => Promise<unknown[]>): Promise<Record<string, unknown[]>> {
  return {
    sessions: await query(`SELECT id, owner_id, title, description, system_prompt, settings, visibility,
                                  deleted_at IS NOT NULL AS trashed
                             FROM chat_sessions ORDER BY id`),
    messages: await query(`SELECT id, session_id, parent_id, role, content, status, deleted_at IS NOT NULL AS deleted
                             FROM messages ORDER BY id`),
    // A user's state of a chat they can no longer read (unshared) stays on the server for when
    // it is shared again; a device needs it only with the chat.
    state: await query(`SELECT session_id, owner_id, pinned, archived, current_leaf_id FROM session_user_state st
                         WHERE EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = st.session_id)
                         ORDER BY session_id, owner_id`),
    tags: await query(`SELECT session_id, owner_id, tag FROM session_tags t
                        WHERE confab_tag_is_on(added_hlc, removed_hlc)
                          AND EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = t.session_id)
                        ORDER BY session_id, owner_id, tag`),
  };
}

export const deviceView = (db: Db) => userView((text) => db.query(sql([text] as unknown as TemplateStringsArray)));
export const serverView = (client: pg.ClientBase) => userView(async (text) => (await client.query(text)).rows);
