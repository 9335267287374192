/**
 * Team sync as it crosses the contract (SYNC.md v2; issues 13 and 14).
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
import type { SessionSummary } from './sessions';

/**
 * off: not connected (no URL stored). connecting: handshake in progress. syncing: a round is
 * pushing or pulling. idle: the last round ended well. offline: the server cannot be reached now
 * (changes are kept; a retry is scheduled). waiting: the server's pull horizon is held back by an
 * open server transaction (see `waitingFor`). error: the server refused this device or its
 * changes in a way a retry will not fix (see `error`).
 */
export type SyncStateName = 'off' | 'connecting' | 'syncing' | 'idle' | 'offline' | 'waiting' | 'error';

/** Why a connection failed, as a code a view turns into its own sentence. */
export type SyncErrorCode =
  | 'auth' // wrong user name or password
  | 'unreachable' // host down, DNS, refused, timed out
  | 'tls' // the server refused TLS or its certificate was not trusted
  | 'not_initialised' // no sync schema: the admin has not run `npm run team -- init`
  | 'client_too_old' // this app's schema is older than the server's: update the app
  | 'server_too_old' // the server's schema is older than this app's: ask the admin
  | 'not_a_member' // the login role is not in confab_member
  | 'invalid_url' // not a postgres:// connection string
  | 'other';

export interface SyncError {
  code: SyncErrorCode;
  /** A sentence for the user, already naming what to do. */
  message: string;
}

/** A change the server did not take, kept so the user can see why and choose the server's version. */
export interface SyncRejectedChange {
  /** The mutation number it had on this device. */
  no: number;
  table: string;
  /** The row's key, as text (a session id, a message id, "session/user/tag"). */
  key: string;
  /** The session it belongs to, where known (so the view can link to the chat). */
  sessionId: string | null;
  reason: string;
  at: string;
}

export interface SyncProgress {
  phase: 'push' | 'pull';
  /** Rows done of `total` in this round; total is null while unknown. */
  done: number;
  total: number | null;
  /** During a first sync: chats and messages applied so far, of the server's totals where known. */
  chats: { done: number; total: number | null } | null;
  messages: { done: number; total: number | null } | null;
}

export interface SyncServerInfo {
  /** The server's identity (stable across restarts; changes after a dump into a new cluster). */
  id: string;
  /** Host and database, for display (never the password). */
  host: string;
  database: string;
  /** The login role this device connects as. */
  user: string;
  /** The server's PostgreSQL major version. */
  postgresVersion: number | null;
  /** The server's sync schema version. */
  schemaVersion: number | null;
}

export interface SyncStatus {
  state: SyncStateName;
  /** The stored connection string with its password removed; null when off. */
  url: string | null;
  server: SyncServerInfo | null;
  /** Local changes not yet acknowledged by the server (survives restarts). */
  pending: number;
  lastSyncedAt: string | null;
  /** Time from a change reaching the server to this device having pulled it, last measured. */
  lagMs: number | null;
  /** While state is 'waiting': the server backend holding the horizon back. */
  waitingFor: { pid: number; ageSeconds: number } | null;
  progress: SyncProgress | null;
  rejected: SyncRejectedChange[];
  error: SyncError | null;
  /** When the next automatic attempt runs (offline/error backoff, or the polling interval). */
  nextAttemptAt: string | null;
}

/** A chat a teammate shared, as this device holds it (read-only here). */
export interface TeamSessionSummary extends SessionSummary {
  authorName: string;
}

export interface SyncMember {
  userId: string;
  name: string;
}

/** Usage per member over a range, computed on the server from shared runs (when the admin enabled it). */
export interface TeamUsageRow {
  userId: string;
  name: string;
  requests: number;
  tokensIn: number;
  tokensOut: number;
  /** Estimated cost in US dollars, null where a model's price is unknown. */
  costUsd: number | null;
}

export interface TeamUsage {
  /** False when the admin did not enable team usage at `team init` (members' usage is private). */
  enabled: boolean;
  rows: TeamUsageRow[];
}
