/**
 * A team server for tests: a fresh database on a real PostgreSQL, `team init` applied, and
 * members with their own login roles (random names: roles are cluster-wide and test files run
 * in parallel). Row builders stamp with a real HLC clock, as a desktop would.
 */
import pg from 'pg';
import { uuidv7 } from '../../../src/shared/ids';
import { HlcClock } from '../../../src/shared/sync/hlc';
import { addMember, removeMember } from '../../../src/main/db/sync/admin/members';
import { APP_MIGRATIONS_DIR, applyServerMigrations } from '../../../src/main/db/sync/admin/serverMigrations';
import { loadMigrations, type Migration } from '../../../src/main/db/migrator';
import { createTestDatabase } from '../../helpers/postgres';

export interface Member {
  role: string;
  userId: string;
  url: string;
  client: pg.Client;
  clientId: string;
  clock: HlcClock;
  nextNo: number;
}

export interface TeamServer {
  url: string;
  admin: pg.Client;
  members: Member[];
  /**
   * A member whose user id stays the one made here (tests name it in the rows they build), unless
   * `claimable`: then the member's first device may keep its own (server migration 0021).
   */
  addMember(prefix: string, team?: string, options?: { claimable?: boolean }): Promise<Member>;
  close(): Promise<void>;
}

const randomHex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/** `serverMigrations`: a server set up by an older Confab (a prefix of migrations-server/). */
export async function startTeamServer(
  serverUrl: string,
  options: { serverMigrations?: Migration[] } = {},
): Promise<TeamServer> {
  const database = await createTestDatabase(serverUrl);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await applyServerMigrations(admin, { serverMigrations: options.serverMigrations });
  const members: Member[] = [];
  const server: TeamServer = {
    url: database.url,
    admin,
    members,
    async addMember(prefix: string, team?: string, options: { claimable?: boolean } = {}) {
      const m = await addMember(admin, database.url, `${prefix}_${randomHex(8)}`, {
        team,
        claimable: options.claimable ?? false,
      });
      const client = new pg.Client({ connectionString: m.url });
      await client.connect();
      const node = randomHex(16);
      const member: Member = {
        role: m.role,
        userId: m.userId,
        url: m.url,
        client,
        clientId: node,
        clock: new HlcClock(node),
        nextNo: 1,
      };
      members.push(member);
      return member;
    },
    async close() {
      for (const m of members) await m.client.end().catch(() => {});
      for (const m of members) await removeMember(admin, m.role).catch(() => {});
      await admin.end();
      await database.drop();
    },
  };
  return server;
}

/** The app schema version a client of this build reports. */
export const SCHEMA_VERSION = loadMigrations(APP_MIGRATIONS_DIR).at(-1)!.version;
const at = '2026-11-01T00:00:00Z';

export function sessionRow(m: Member, fields: Partial<Record<string, unknown>> = {}) {
  return {
    id: uuidv7(),
    owner_id: m.userId,
    title: 'A chat',
    description: '',
    system_prompt: '',
    settings: {},
    visibility: 'private',
    provider_id: null,
    model: null,
    deleted_at: null,
    col_hlc: { _: m.clock.now() },
    created_at: at,
    updated_at: at,
    ...fields,
  };
}

export function messageRow(m: Member, sessionId: string, fields: Partial<Record<string, unknown>> = {}) {
  const h = m.clock.now();
  return {
    id: uuidv7(),
    owner_id: m.userId,
    session_id: sessionId,
    parent_id: null,
    role: 'user',
    content: 'hello',
    content_type: 'text/markdown',
    status: 'complete',
    reasoning: '',
    tokens_estimated: false,
    deleted_at: null,
    origin_client: m.clientId,
    status_hlc: h,
    deleted_hlc: h,
    created_at: at,
    updated_at: at,
    ...fields,
  };
}

export interface Mutation {
  tbl: string;
  op?: 'upsert' | 'purge';
  row: Record<string, unknown>;
}

/** Numbers the mutations for this member's client and pushes them (as the engine will). */
export function numbered(m: Member, mutations: Mutation[]) {
  return mutations.map((x) => ({
    no: m.nextNo++,
    id: crypto.randomUUID(),
    tbl: x.tbl,
    op: x.op ?? 'upsert',
    row: x.row,
  }));
}

export async function push(
  m: Member,
  batch: { no: number; id: string; tbl: string; op: string; row: unknown }[],
  clientId = m.clientId,
) {
  const { rows } = await m.client.query<{ r: Record<string, unknown> }>('SELECT sync.push($1, $2, $3::jsonb) AS r', [
    clientId,
    SCHEMA_VERSION,
    JSON.stringify({ mutations: batch }),
  ]);
  return rows[0]!.r;
}

export interface PulledChange {
  xid: string;
  seq: string;
  tbl: string;
  op: string;
  pk: unknown[];
  body: Record<string, unknown> | null;
}

/** Pulls everything visible after the cursor, `limit` at a time; returns the changes and the cursor. */
/**
 * Waits until the pull horizon has passed every transaction committed before this call. The
 * horizon is cluster-wide: another test file's open transaction in another database holds it
 * back, so a test that pulls at once can see nothing on a busy run.
 */
export async function settled(client: pg.ClientBase, timeoutMs = 30_000): Promise<void> {
  const { rows } = await client.query<{ now: string }>('SELECT pg_current_xact_id()::text AS now');
  const now = BigInt(rows[0]!.now);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows: horizon } = await client.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    if (BigInt(horizon[0]!.xmin) > now) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Pulls until nothing more comes. `settle` first waits for the horizon (see settled); a test
 * that checks what a running transaction holds back passes false.
 */
export async function pullAll(client: pg.Client, cursor = { xid: '0', seq: '0' }, limit = 1000, settle = true) {
  if (settle) await settled(client);
  const changes: PulledChange[] = [];
  for (;;) {
    const { rows } = await client.query<PulledChange>(
      'SELECT xid::text, seq::text, tbl, op, pk, body FROM sync.pull($1::xid8, $2::bigint, $3)',
      [cursor.xid, cursor.seq, limit],
    );
    if (rows.length === 0) return { changes, cursor };
    changes.push(...rows);
    const last = rows.at(-1)!;
    cursor = { xid: last.xid, seq: last.seq };
  }
}
