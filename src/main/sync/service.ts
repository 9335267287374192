/**
 * Team sync in the main process: which server this device syncs with, when rounds run, and what
 * the views are told (SyncStatus, the sync.status event on every change).
 *
 * Rounds run after local changes (debounced), on a wake-up from the server (LISTEN; its NOTIFY
 * comes with every change index write, migrations-server/0005), by polling as the fallback (a
 * pooler in transaction mode drops LISTEN), at once after the machine wakes from sleep, and with
 * exponential backoff and jitter while the server cannot be reached. Nothing here blocks start-up:
 * with the server down, the app works and changes wait in the outbox.
 *
 * The connection string's password never leaves this process: it is sealed by the host cipher
 * before it is stored, and statuses and errors show the URL without it.
 */
import type pg from 'pg';
import { isEmptyChangeSet, type ChangeSet, type ChangeSource } from '@shared/changes';
import { ConfabError } from '@shared/errors';
import type { SyncError, SyncServerInfo, SyncStatus } from '@shared/types';
import type { DbClient } from '../db/client';
import type { LocalSide } from '@shared/sync/round';
import type { Emitter } from '../kit/handlers';
import type { SecretCipher } from '../secrets/cipher';
import { parseServerUrl, serverClient, type ParsedServerUrl } from './connection';
import { NEEDS_ACTION, toSyncError } from './errors';
import { runRound, SyncRefused, type Refusal, type RoundProgress, type SyncRoundResult } from '@shared/sync/round';
import { workerLocalSide } from './workerLocalSide';
import { syncStatusOff } from '@shared/sync/status';

export interface SyncTiming {
  /** A round this long after the last local change. */
  debounceMs: number;
  /** Polling: a round this long after the last one ended well. */
  pollMs: number;
  /** While the horizon is held by a server transaction: look again this often. */
  waitingPollMs: number;
  /** After a wake-up whose round found nothing yet (the horizon lags the commit): look again. */
  notifyRetryMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  connectTimeoutMs: number;
  /** How often the wall clock is compared with the timer's (a jump means the machine slept). */
  wakeCheckMs: number;
}

export const DEFAULT_TIMING: SyncTiming = {
  debounceMs: 300,
  pollMs: 15_000,
  waitingPollMs: 2_000,
  notifyRetryMs: 400,
  backoffBaseMs: 1_000,
  backoffCapMs: 60_000,
  connectTimeoutMs: 10_000,
  wakeCheckMs: 5_000,
};

export interface SyncServiceOptions {
  db: DbClient;
  events: Emitter;
  cipher: SecretCipher;
  /** This build's app schema version (the last migration), sent in the handshake. */
  schemaVersion: number;
  timing?: Partial<SyncTiming>;
  pushLimit?: number;
  pullLimit?: number;
}

/** Told after every round that ended well (blob sync hooks in here). */
export type AfterRound = (round: SyncRoundResult, service: SyncService) => Promise<void> | void;

/**
 * Rounds after a wake-up that found nothing yet, 1, 2, ... times notifyRetryMs apart (about 6 s
 * in all by default): by then a transaction still holding the horizon shows as a stall (5 s), and
 * the 'waiting' state's own faster polling takes over.
 */
const NOTIFY_RETRIES = 5;

const NOT_CONNECTED = 'Team sync is not connected: connect this device to a team server first.';
const OFFLINE = 'The team server cannot be reached right now: try again when it is back.';

/** A mutex as a promise chain: one holder at a time, in call order. */
class Lock {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export class SyncService {
  /** Hooks run after each good round, in order; one failing does not stop the others. */
  readonly afterRound: AfterRound[] = [];

  private readonly timing: SyncTiming;
  private readonly local: LocalSide;
  private url: string | null = null;
  private parsed: ParsedServerUrl | null = null;
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  /** A second connection for withServer (team handlers), so their transactions never meet a round's. */
  private side: pg.Client | null = null;
  private readonly sideLock = new Lock();
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private notifyRetries = 0;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private changeTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private lastTick = Date.now();
  private stopFeed: (() => void) | null = null;
  private userId: string | null = null;
  private current: SyncStatus = syncStatusOff();
  private lastEmitted = '';

  constructor(private readonly options: SyncServiceOptions) {
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    const local = workerLocalSide(options.db);
    // A round cut by close() or disconnect() stops at its next local step instead of going on.
    this.local = Object.fromEntries(
      Object.entries(local).map(([name, fn]) => [
        name,
        (...args: unknown[]) => {
          // Closing, or disconnected meanwhile: the round stops at its next step (all are safe to cut).
          if (this.closed || !this.url) return Promise.reject(new ConfabError('conflict', 'Sync stopped.'));
          return (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        },
      ]),
    ) as unknown as LocalSide;
  }

  /**
   * Picks up where the last run left: the stored link (or `url` from CONFAB_SYNC_URL) starts
   * syncing in the background. Never throws for a server that is down.
   */
  async start(options: { url?: string } = {}): Promise<void> {
    this.stopFeed = this.options.db.onChanges((changes, source) => this.onLocalChange(changes, source));
    this.lastTick = Date.now();
    this.wakeTimer = setInterval(() => this.checkWake(), this.timing.wakeCheckMs);
    this.wakeTimer.unref?.();
    // Quietly: nothing changed for a view yet (an unlinked device starts and stays 'off').
    await this.refreshSummary({ silent: true });
    if (options.url) {
      try {
        await this.link(options.url, { store: true }).catch(async (err: unknown) => {
          // A host without secure storage still syncs with the URL it was started with; it is
          // simply not remembered.
          if (!(err instanceof ConfabError && err.code === 'secrets_unavailable')) throw err;
          await this.link(options.url!, { store: false });
        });
      } catch (err) {
        this.update({ state: 'error', error: this.scrubbed(toSyncError(err)) });
      }
      return;
    }
    const sealed = await this.options.db.call('sync.sealedLink', undefined);
    if (!sealed) return;
    // Known from the last handshake: the team handlers may use it before the first round ends.
    this.userId = (await this.options.db.call('sync.readState', undefined)).serverUserId;
    let url: string;
    try {
      url = this.options.cipher.decrypt(Buffer.from(sealed));
    } catch {
      this.update({
        state: 'error',
        url: this.current.url,
        error: {
          code: 'other',
          message:
            'The saved team server connection cannot be read on this machine: connect again with your connection string.',
        },
      });
      return;
    }
    await this.link(url, { store: false });
  }

  status(): SyncStatus {
    return structuredClone(this.current);
  }

  /** The status with the device's side read now (pending changes are counted while off too). */
  async statusNow(): Promise<SyncStatus> {
    await this.refreshSummary();
    return this.status();
  }

  /** The device's user id on the team server (after the first handshake), or null. */
  get serverUserId(): string | null {
    return this.userId;
  }

  /** Tries a connection string without storing it: connects, checks schema and membership. */
  async test(url: string): Promise<SyncServerInfo> {
    const parsed = this.parseOrThrow(url);
    const client = serverClient(url, { connectTimeoutMs: this.timing.connectTimeoutMs });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await this.probe(client, parsed);
    } catch (err) {
      throw this.failure(err, url);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Tests, stores (password sealed) and starts syncing; the first round runs in the background. */
  async connect(url: string): Promise<SyncStatus> {
    const server = await this.test(url);
    await this.link(url, { store: true, server });
    return this.status();
  }

  /** Stops syncing and forgets the URL; local data and changes not yet pushed stay. */
  async disconnect(): Promise<SyncStatus> {
    this.url = null;
    this.parsed = null;
    this.clearTimer();
    await this.running?.catch(() => undefined);
    await this.dropConnections();
    await this.options.db.call('sync.setLink', { displayUrl: null, sealedUrl: null });
    this.userId = null;
    this.update({
      state: 'off',
      url: null,
      server: null,
      error: null,
      waitingFor: null,
      progress: null,
      nextAttemptAt: null,
      lagMs: null,
    });
    await this.refreshSummary();
    return this.status();
  }

  /** A round now, or right after the one in progress. */
  async now(): Promise<SyncStatus> {
    if (!this.url) throw new ConfabError('conflict', NOT_CONNECTED);
    this.failures = 0;
    this.requestRound();
    return this.status();
  }

  /** Drops a rejected change and takes the server's version of that row (or its absence). */
  async useServerVersion(no: number): Promise<SyncStatus> {
    const change = await this.options.db.call('sync.rejectedChange', { no });
    if (!change) throw new ConfabError('not_found', `There is no refused change number ${no} on this device.`);
    const rows = await this.withServer(async (client) => {
      const { rows } = await client.query<{ r: Record<string, unknown> }>(
        'SELECT r FROM sync.rows_by_key($1, $2::jsonb) AS r',
        [change.tbl, JSON.stringify([change.pk])],
      );
      return rows;
    });
    await this.options.db.call(
      'sync.useServerVersion',
      { no, tbl: change.tbl, pk: change.pk, row: rows[0]?.r ?? null },
      { source: 'remote' },
    );
    await this.refreshSummary();
    return this.status();
  }

  /**
   * Runs `fn` on a connection to the team server (its own, beside the rounds' one, one caller at
   * a time). For the team handlers: share, teammates, team sessions, fork, usage.
   */
  async withServer<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    if (!this.url) throw new ConfabError('conflict', NOT_CONNECTED);
    const url = this.url;
    return this.sideLock.run(async () => {
      try {
        if (!this.side) {
          const client = serverClient(url, { connectTimeoutMs: this.timing.connectTimeoutMs });
          client.on('error', () => {
            if (this.side === client) this.side = null;
          });
          await client.connect();
          this.side = client;
        }
      } catch (err) {
        const e = toSyncError(err);
        throw new ConfabError('conflict', e.code === 'unreachable' ? OFFLINE : this.scrub(e.message), {
          sync: e.code,
        });
      }
      try {
        return await fn(this.side);
      } catch (err) {
        // A broken connection is made again by the next caller.
        if (toSyncError(err).code === 'unreachable') {
          await this.side?.end().catch(() => undefined);
          this.side = null;
        }
        throw err;
      }
    });
  }

  /** The machine woke (Electron's powerMonitor 'resume'): sync at once. */
  wake(): void {
    if (!this.url) return;
    this.failures = 0;
    this.requestRound();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopFeed?.();
    this.clearTimer();
    if (this.changeTimer) clearTimeout(this.changeTimer);
    if (this.wakeTimer) clearInterval(this.wakeTimer);
    await this.running?.catch(() => undefined);
    await this.dropConnections();
  }

  // ---------------------------------------------------------------------------------------------

  private parseOrThrow(url: string): ParsedServerUrl {
    try {
      return parseServerUrl(url);
    } catch (err) {
      throw this.failure(err, url);
    }
  }

  /** A ConfabError whose sentence names what to do; data.sync is the SyncErrorCode. */
  private failure(err: unknown, url: string): ConfabError {
    const e = toSyncError(err);
    const message = scrubPassword(e.message, url);
    return new ConfabError(e.code === 'invalid_url' ? 'invalid_input' : 'conflict', message, { sync: e.code });
  }

  private async probe(client: pg.ClientBase, parsed: ParsedServerUrl): Promise<SyncServerInfo> {
    const { rows: version } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    const state = await this.options.db.call('sync.readState', undefined);
    const { rows } = await client.query<{ h: Record<string, unknown> }>(
      'SELECT sync.hello($1, $2, $3::xid8, $4::bigint, $5::jsonb, $6) AS h',
      [state.clientId, this.options.schemaVersion, '0', '0', null, 0],
    );
    const h = rows[0]!.h;
    const status = String(h.status);
    if (status === 'not_a_member' || status === 'client_too_old' || status === 'server_too_old') {
      throw new SyncRefused(status as Refusal);
    }
    return serverInfo(parsed, h.identity, Number(version[0]?.v), h.schema_version);
  }

  /** Makes `url` the link: stored (sealed) when asked, and a round starts in the background. */
  private async link(url: string, how: { store: boolean; server?: SyncServerInfo }): Promise<void> {
    const parsed = parseServerUrl(url);
    if (how.store) {
      await this.options.db.call('sync.setLink', {
        displayUrl: parsed.display,
        sealedUrl: new Uint8Array(this.options.cipher.encrypt(url)),
      });
    }
    if (this.url !== url) await this.dropConnections();
    this.url = url;
    this.parsed = parsed;
    this.failures = 0;
    this.update({
      state: 'connecting',
      url: parsed.display,
      server: how.server ?? (this.current.url === parsed.display ? this.current.server : null),
      error: null,
    });
    this.requestRound();
  }

  private onLocalChange(changes: ChangeSet, source: ChangeSource): void {
    // Pulled rows are announced as 'remote': never a reason to push. Providers and settings are local-only.
    if (source === 'remote' || isEmptyChangeSet(changes)) return;
    if (changes.sessions.length === 0 && changes.messages.length === 0) return;
    if (!this.url || this.closed) return;
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      void this.refreshSummary().catch(() => undefined);
      this.requestRound();
    }, this.timing.debounceMs);
  }

  private onNotify(): void {
    this.notifyRetries = NOTIFY_RETRIES;
    this.requestRound();
  }

  private checkWake(): void {
    const now = Date.now();
    const slept = now - this.lastTick > this.timing.wakeCheckMs + 10_000;
    this.lastTick = now;
    if (slept) this.wake();
  }

  private requestRound(): void {
    if (this.closed || !this.url) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // Offline, the backoff says when to try again: each local edit must not send a new attempt
    // to a server that cannot be reached (Sync now and waking from sleep reset the failures).
    if (this.failures > 0 && this.timer) return;
    this.schedule(0);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    if (this.closed || !this.url) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.round().finally(() => {
        this.running = null;
      });
    }, delayMs);
    this.timer.unref?.();
    const nextAttemptAt = delayMs > 0 ? new Date(Date.now() + delayMs).toISOString() : null;
    this.update({ nextAttemptAt });
  }

  private backoffMs(): number {
    const { backoffBaseMs, backoffCapMs } = this.timing;
    const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** Math.min(this.failures - 1, 20));
    // Full jitter on the upper half: a team's devices do not all come back in the same second.
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private async ensureClient(): Promise<pg.Client> {
    if (this.client) return this.client;
    if (this.connecting) return this.connecting;
    const url = this.url!;
    this.connecting = (async () => {
      const client = serverClient(url, { connectTimeoutMs: this.timing.connectTimeoutMs });
      client.on('error', () => {
        // The connection broke while idle (server stopped, network gone): the next round reconnects.
        if (this.client === client) {
          this.client = null;
          if (!this.running) {
            this.failures += 1;
            this.update({ state: 'offline', error: this.scrubbed(toSyncError({ code: 'ECONNRESET' })) });
            this.schedule(this.backoffMs());
          }
        }
      });
      client.on('notification', (n) => {
        if (n.processId !== (client as unknown as { processID?: number }).processID) this.onNotify();
      });
      try {
        await client.connect();
        await client.query('LISTEN confab_sync');
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
      this.client = client;
      return client;
    })();
    try {
      return await this.connecting;
    } finally {
      this.connecting = null;
    }
  }

  private async dropConnections(): Promise<void> {
    const [client, side] = [this.client, this.side];
    this.client = null;
    this.side = null;
    await client?.end().catch(() => undefined);
    await this.sideLock.run(async () => side?.end().catch(() => undefined));
  }

  private async round(): Promise<void> {
    if (this.closed || !this.url) return;
    const url = this.url;
    let next = this.timing.pollMs;
    try {
      if (!this.client) this.update({ state: 'connecting', nextAttemptAt: null });
      const client = await this.ensureClient();
      this.update({ state: 'syncing', nextAttemptAt: null });
      const result = await runRound(this.local, client, {
        schemaVersion: this.options.schemaVersion,
        pushLimit: this.options.pushLimit,
        pullLimit: this.options.pullLimit,
        onProgress: (p) => this.onProgress(p),
      });
      if (url !== this.url) return;
      this.userId = result.server.userId;
      this.failures = 0;
      // The round's last local step recorded the sync time (LocalSide.markSynced).
      const waitingFor = await this.stallOf(client);
      const { rows: version } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      this.update({
        state: waitingFor ? 'waiting' : 'idle',
        server: serverInfo(this.parsed!, result.server.identity, Number(version[0]?.v), result.server.schemaVersion),
        waitingFor,
        lagMs: result.lagMs ?? this.current.lagMs,
        progress: null,
        error: null,
      });
      if (waitingFor) next = this.timing.waitingPollMs;
      else if (result.pulled === 0 && this.notifyRetries > 0) {
        // Woken, but the horizon has not passed the change yet: look again shortly.
        this.notifyRetries -= 1;
        next = this.timing.notifyRetryMs * (NOTIFY_RETRIES + 1 - this.notifyRetries);
      } else this.notifyRetries = 0;
      for (const hook of this.afterRound) {
        try {
          await hook(result, this);
        } catch (err) {
          console.error('[sync] an after-round hook failed:', err instanceof Error ? err.message : err);
        }
      }
    } catch (err) {
      if (this.closed || url !== this.url) return;
      const error = this.scrubbed(toSyncError(err));
      this.failures += 1;
      if (error.code === 'unreachable' || error.code === 'other') {
        // The connection may be half-broken: start the next round on a fresh one.
        const client = this.client;
        this.client = null;
        await client?.end().catch(() => undefined);
      }
      next = NEEDS_ACTION.has(error.code) ? this.timing.backoffCapMs : this.backoffMs();
      this.update({
        state: error.code === 'unreachable' ? 'offline' : 'error',
        error,
        progress: null,
        waitingFor: null,
        nextAttemptAt: new Date(Date.now() + next).toISOString(),
      });
    } finally {
      await this.refreshSummary().catch(() => undefined);
      if (!this.closed && this.url) {
        if (this.again) {
          this.again = false;
          // A change made during a failed round waits for the backoff like the rest.
          if (this.failures === 0) next = 0;
        }
        // Scheduled after this promise settles (schedule() checks `running` only through requestRound).
        setImmediate(() => {
          if (!this.running) this.schedule(next);
          else this.again = true;
        });
      }
    }
  }

  private async stallOf(client: pg.ClientBase): Promise<SyncStatus['waitingFor']> {
    try {
      const { rows } = await client.query<{ pid: number | null; age: number }>(
        'SELECT pid, age_seconds AS age FROM sync.stalls() ORDER BY age_seconds DESC LIMIT 1',
      );
      const s = rows[0];
      return s ? { pid: s.pid ?? 0, ageSeconds: Math.round(Number(s.age)) } : null;
    } catch {
      return null;
    }
  }

  private onProgress(p: RoundProgress): void {
    this.update({
      progress: {
        phase: p.phase,
        done: p.done,
        // Entries pulled again (a row changed twice meanwhile) may pass the count made at the start.
        total: p.totals ? Math.max(p.totals.changes, p.done) : null,
        chats:
          p.phase === 'pull' ? { done: p.chats, total: p.totals ? Math.max(p.totals.chats, p.chats) : null } : null,
        messages:
          p.phase === 'pull'
            ? { done: p.messages, total: p.totals ? Math.max(p.totals.messages, p.messages) : null }
            : null,
      },
    });
  }

  private async refreshSummary(how: { silent?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    const s = await this.options.db.call('sync.summary', undefined);
    this.update(
      {
        pending: s.pending,
        lastSyncedAt: s.lastSyncedAt,
        rejected: s.rejected,
        url: this.parsed?.display ?? s.displayUrl,
      },
      how,
    );
  }

  private scrub(text: string): string {
    return this.url ? scrubPassword(text, this.url) : text;
  }

  private scrubbed(e: SyncError): SyncError {
    return { code: e.code, message: this.scrub(e.message) };
  }

  private update(patch: Partial<SyncStatus>, how: { silent?: boolean } = {}): void {
    this.current = { ...this.current, ...patch };
    const text = JSON.stringify(this.current);
    if (text === this.lastEmitted) return;
    this.lastEmitted = text;
    if (!how.silent) this.options.events.emit('sync.status', this.status());
  }
}

function serverInfo(
  parsed: ParsedServerUrl,
  identity: unknown,
  versionNum: number,
  schemaVersion: unknown,
): SyncServerInfo {
  const ident = (identity ?? {}) as Record<string, unknown>;
  return {
    id: typeof ident.meta_uuid === 'string' ? ident.meta_uuid : JSON.stringify(identity ?? null),
    host: parsed.port === 5432 ? parsed.host : `${parsed.host}:${parsed.port}`,
    database: parsed.database,
    user: parsed.user,
    postgresVersion: Number.isFinite(versionNum) && versionNum > 0 ? Math.floor(versionNum / 10000) : null,
    schemaVersion: schemaVersion == null ? null : Number(schemaVersion),
  };
}

/** Removes the URL's password (as written and URL-decoded) from a text. */
export function scrubPassword(text: string, url: string): string {
  let password: string;
  try {
    const u = new URL(url.trim());
    password = u.password ? decodeURIComponent(u.password) : (u.searchParams.get('password') ?? '');
  } catch {
    return text;
  }
  if (password.length < 2) return text;
  let out = text.split(password).join('***');
  const encoded = encodeURIComponent(password);
  if (encoded !== password) out = out.split(encoded).join('***');
  return out;
}
