/**
 * The SyncService end to end, in-process: real cores (DB worker on PGlite, the contract's
 * handlers, JSON on the wire) syncing through a real team server on PostgreSQL, reached through
 * a TCP relay so the network can be taken away. Connect, a change on one device seen on the
 * other, the server gone (offline, changes kept and counted), back (converges), the password
 * never on the wire or in the console, CONFAB_SYNC_URL's start-up link, a large pull as many
 * worker calls, and taking the server's version of a refused change.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import type { SyncStatus } from '../../src/shared/types';
import { startChatCore, type ChatCore } from '../helpers/chatCore';
import { startRelay, type TcpRelay } from './helpers/proxy';
import { messageRow, numbered, push, sessionRow, startTeamServer, type Member, type TeamServer } from './helpers/team';

// Short timers: a test waits on conditions, and a server that is gone must be retried quickly.
const timing = {
  debounceMs: 50,
  pollMs: 1_000,
  waitingPollMs: 500,
  notifyRetryMs: 200,
  backoffBaseMs: 100,
  backoffCapMs: 1_000,
  connectTimeoutMs: 3_000,
};

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const titles = async (c: ChatCore) =>
  (await c.api.sessions.list({ view: 'active', limit: 500 })).items.map((s) => s.title);
const settledWell = (s: SyncStatus) => (s.state === 'idle' || s.state === 'waiting') && s.pending === 0;

describe('the sync service between two devices and one team server', () => {
  let team: TeamServer;
  let member: Member;
  let relay: TcpRelay;
  let url: string;
  let password: string;
  const cores: ChatCore[] = [];
  const printed: string[] = [];

  beforeAll(async () => {
    team = await startTeamServer(inject('postgresUrl'));
    member = await team.addMember('dev');
    const target = new URL(member.url);
    relay = await startRelay({ host: target.hostname, port: Number(target.port || 5432) });
    url = relay.through(member.url);
    password = decodeURIComponent(new URL(member.url).password);
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      });
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of cores) await c.close().catch(() => undefined);
    await relay?.close();
    await team?.close();
    vi.restoreAllMocks();
  });

  // A test that failed with the network away must not take the next ones down with it.
  beforeEach(async () => {
    await relay.start();
  });

  const start = async (options: Parameters<typeof startChatCore>[0] = {}) => {
    const c = await startChatCore({ ...options, sync: { timing, ...options.sync } });
    cores.push(c);
    return c;
  };

  it('connects, shows a change made on one device on the other, keeps changes while the server is gone, and converges when it is back', async () => {
    const a = await start();
    const b = await start();
    expect((await a.api.sync.status({})).state).toBe('off');

    const connected = await a.api.sync.connect({ url });
    expect(connected.url).not.toContain(password);
    expect(connected.url).toContain(new URL(url).hostname);
    expect(connected.server).toMatchObject({ user: member.role, host: `127.0.0.1:${relay.port}` });
    expect(connected.server?.postgresVersion).toBeGreaterThanOrEqual(15);
    await b.api.sync.connect({ url });
    const aStatus = await until(() => a.api.sync.status({}), settledWell, 'A in sync');
    expect(aStatus.server?.schemaVersion).toBeGreaterThan(0);
    expect(aStatus.lastSyncedAt).not.toBeNull();

    const made = await a.api.sessions.create({ title: 'Made on A' });
    await until(
      () => titles(b),
      (t) => t.includes('Made on A'),
      'B to show the chat made on A',
    );

    // The server goes away: A's next change waits, counted, and A says it is offline.
    await relay.stop();
    await a.api.sessions.rename({ id: made.id, title: 'Renamed while offline' });
    const offline = await until(
      () => a.api.sync.status({}),
      (s) => s.state === 'offline' && s.pending >= 1,
      'A offline with its change pending',
    );
    expect(offline.error?.code).toBe('unreachable');
    expect(offline.error?.message).toMatch(/cannot be reached/);
    expect(offline.nextAttemptAt).not.toBeNull();

    // Back: A pushes on its own (backoff retry), B pulls.
    await relay.start();
    await until(
      () => titles(b),
      (t) => t.includes('Renamed while offline'),
      'B to show the rename made offline',
    );
    await until(() => a.api.sync.status({}), settledWell, 'A in sync again');

    // The password never crossed to a view (answers, events) nor reached the console.
    for (const c of [a, b]) for (const w of c.wire) if (w.kind !== 'request') expect(w.text).not.toContain(password);
    for (const line of printed) expect(line).not.toContain(password);

    // Disconnect: off, the link forgotten, the data kept.
    const off = await a.api.sync.disconnect({});
    expect(off).toMatchObject({ state: 'off', url: null, server: null });
    expect(await titles(a)).toContain('Renamed while offline');
    await a.api.sessions.rename({ id: made.id, title: 'After disconnect' });
    await until(
      () => a.api.sync.status({}),
      (s) => s.pending >= 1,
      'the change counted while off',
    );
    await expect(a.api.sync.now({})).rejects.toThrow(/not connected/);
  }, 600_000);

  it("is woken by the server's notification: with polling an hour apart, a change still arrives", async () => {
    const slow = { ...timing, pollMs: 3_600_000 };
    const g = await start({ sync: { timing: slow } });
    const h = await start({ sync: { timing: slow } });
    await g.api.sync.connect({ url });
    await h.api.sync.connect({ url });
    await until(() => g.api.sync.status({}), settledWell, 'G in sync');
    await until(() => h.api.sync.status({}), settledWell, 'H in sync');
    // H is idle with its next poll an hour away: only a wake-up can bring the change sooner.
    await until(
      () => h.api.sync.status({}),
      (st) => st.state === 'idle' && Date.parse(st.nextAttemptAt ?? '') - Date.now() > 60_000,
      'H idle until its next poll',
    );
    await g.api.sessions.create({ title: 'Wake-up call' });
    await until(
      () => titles(h),
      (t) => t.includes('Wake-up call'),
      'H to be woken and pull the chat',
    );
  }, 600_000);

  it('links at start from CONFAB_SYNC_URL (StartCoreOptions.sync.url), stores it sealed, and resumes from it after a restart', async () => {
    const c = await start({ sync: { url } });
    await until(
      () => titles(c),
      (t) => t.includes('Renamed while offline'),
      'C to pull the team data',
    );
    const status = await c.api.sync.status({});
    expect(status.url).not.toContain(password);
    const dataDir = c.dataDir;
    await c.close();
    cores.splice(cores.indexOf(c), 1);
    // The same data folder without the variable: the stored (sealed) link is used.
    const again = await start({ dataDir });
    await until(() => again.api.sync.status({}), settledWell, 'the restarted core in sync from its stored link');
    for (const w of again.wire) if (w.kind !== 'request') expect(w.text).not.toContain(password);
  }, 600_000);

  it('pulls a large backlog in many worker calls, answering other calls between batches', async () => {
    // A backlog on the server from another of this user's devices: one chat of 1,500 messages.
    const s = sessionRow(member, { title: 'Backlog' });
    const rows = [{ tbl: 'chat_sessions', row: s as Record<string, unknown> }];
    let parent: string | null = null;
    for (let i = 0; i < 1500; i += 1) {
      const m: Record<string, unknown> = messageRow(member, s.id, { parent_id: parent, content: `m${i}` });
      parent = m.id as string;
      rows.push({ tbl: 'messages', row: m });
    }
    expect(await push(member, numbered(member, rows))).toMatchObject({ status: 'ok' });

    const d = await start({ sync: { pullLimit: 100 } });
    const from = d.events.length;
    await d.api.sync.connect({ url });
    await d.waitFor('sync.status', (p) => p.progress?.phase === 'pull' && p.progress.done > 0, 120_000, from);
    // A view's call while the pull runs: answered before the pull has finished.
    await d.api.sessions.list({ view: 'active', limit: 10 });
    const answeredAt = d.events.length;
    await until(
      () => titles(d),
      (t) => t.includes('Backlog'),
      'the backlog chat',
    );
    await until(() => d.api.sync.status({}), settledWell, 'D in sync');
    const pulls = d.events
      .slice(from)
      .filter((e) => e.name === 'sync.status' && (e.payload as SyncStatus).progress?.phase === 'pull')
      .map((e) => (e.payload as SyncStatus).progress!.done);
    expect(new Set(pulls).size).toBeGreaterThanOrEqual(10);
    // The first sync says how much it will bring: done of total, chats and messages.
    const progress = d.events
      .slice(from)
      .filter((e) => e.name === 'sync.status' && (e.payload as SyncStatus).progress?.phase === 'pull')
      .map((e) => (e.payload as SyncStatus).progress!);
    for (const p of progress) {
      expect(p.total).not.toBeNull();
      expect(p.done).toBeLessThanOrEqual(p.total!);
      expect(p.messages!.total).toBeGreaterThanOrEqual(1500);
      expect(p.chats!.total).toBeGreaterThanOrEqual(1);
    }
    const laterPulls = d.events
      .slice(answeredAt)
      .filter((e) => e.name === 'sync.status' && (e.payload as SyncStatus).progress?.phase === 'pull');
    expect(laterPulls.length, 'the pull went on after the view was answered').toBeGreaterThan(0);
    const backlog = (await d.api.sessions.list({ view: 'active', limit: 500 })).items.find(
      (x) => x.title === 'Backlog',
    );
    expect(backlog?.messageCount).toBe(1500);
  }, 600_000);

  it('says it is waiting, naming the server backend, while an open transaction holds the pull horizon', async () => {
    const f = await start();
    await f.api.sync.connect({ url });
    await until(() => f.api.sync.status({}), settledWell, 'F in sync');
    // An admin session holding an xid: every pull stops before it (lag, never loss).
    const holder = new pg.Client({ connectionString: team.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      const { rows } = await holder.query<{ pid: number }>(
        'SELECT pg_backend_pid() AS pid, pg_current_xact_id() AS xid',
      );
      const pid = rows[0]!.pid;
      const waiting = await until(
        () => f.api.sync.status({}),
        (s) => s.state === 'waiting' && s.waitingFor !== null && s.waitingFor.ageSeconds >= 5,
        'the waiting state',
      );
      // The oldest holder is named: ours, unless another test's transaction on this cluster is older.
      expect(typeof waiting.waitingFor!.pid).toBe('number');
      const stalls = await team.admin.query<{ pid: number }>('SELECT pid FROM sync.stalls() ORDER BY age_seconds DESC');
      expect(stalls.rows.map((r) => r.pid)).toContain(pid);
      await holder.query('COMMIT');
      await until(
        () => f.api.sync.status({}),
        (s) => s.waitingFor?.pid !== pid,
        'the waiting state to leave our transaction once it ended',
      );
    } finally {
      await holder.end().catch(() => undefined);
    }
  }, 600_000);

  it('survives the server ending its idle connections (the watchdog, a restart): a retry, then in sync again', async () => {
    const g = await start();
    await g.api.sync.connect({ url });
    await until(() => g.api.sync.status({}), settledWell, 'G in sync');
    // Every connection the sync services hold as this member (the LISTEN one idles between
    // rounds) is ended by the server, as the watchdog or a restart does (57P01). A pg client
    // without an 'error' listener would throw it uncaught here and fail the run.
    const ended = await team.admin.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE usename = $1 AND application_name = 'confab' AND pid <> pg_backend_pid()`,
      [member.role],
    );
    expect(ended.rows.length).toBeGreaterThan(0);
    const made = await g.api.sessions.create({ title: 'Made after the server ended the connection' });
    await until(
      async () => (await member.client.query('SELECT 1 FROM chat_sessions WHERE id = $1', [made.id])).rowCount,
      (n) => n === 1,
      'the new chat on the server',
    );
    const status = await until(() => g.api.sync.status({}), settledWell, 'G in sync again');
    expect(status.error).toBeNull();
  }, 600_000);

  it("records a change the server refused and, on request, takes the server's version of the row", async () => {
    // A teammate's chat cannot be changed here at all (the worker refuses it before anything is
    // stamped), so the refusal comes from a real race: this device renames its chat while
    // disconnected, and meanwhile another device of the same user purges it on the server.
    const e = await start();
    await e.api.sync.connect({ url });
    const mine = await e.api.sessions.create({ title: 'Soon purged elsewhere' });
    await until(() => e.api.sync.status({}), settledWell, 'the chat pushed');
    await e.api.sync.disconnect({});
    const purged = await push(member, numbered(member, [{ tbl: 'chat_sessions', op: 'purge', row: { id: mine.id } }]));
    expect(purged).toMatchObject({ status: 'ok', rejected: [] });
    await e.api.sessions.rename({ id: mine.id, title: 'Changed here' });

    await e.api.sync.connect({ url });
    const refused = await until(
      () => e.api.sync.status({}),
      (s) => s.rejected.length > 0 && s.pending === 0,
      'the refusal recorded',
    );
    const [rejection] = refused.rejected;
    expect(rejection).toMatchObject({ table: 'chat_sessions', key: mine.id, sessionId: mine.id, reason: 'buried' });
    // The purge wins on every device (SYNC.md: a buried key never comes back).
    await until(
      () => titles(e),
      (t) => !t.includes('Changed here'),
      'the purge applied here',
    );

    const after = await e.api.sync.useServerVersion({ no: rejection!.no });
    expect(after.rejected).toEqual([]);
    expect(await titles(e)).not.toContain('Changed here');
    // Taking the server's version is not a change to push.
    expect((await e.api.sync.status({})).pending).toBe(0);
    await expect(e.api.sync.useServerVersion({ no: rejection!.no })).rejects.toThrow(/no refused change/);
  }, 600_000);
});
