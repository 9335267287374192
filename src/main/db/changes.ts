/**
 * The worker's side of the change feed. Migration 0005's triggers note every row a statement
 * touched in a temporary table while capture is on; after each call (and each batch of a job) the
 * worker drains that table into a ChangeSet, which travels back with the call's answer. Main turns
 * change sets into the contract's events in one place (core/changeFeed.ts), so no writer (a
 * view's call, the chat engine, an import, the retention job) can forget to announce its changes.
 */
import { emptyChangeSet, type ChangeSet } from '@shared/changes';
import type { Db } from './database';
import { sql } from './sql';

/** More changed messages than this in one chat are announced as "reload this chat". */
export const MAX_MESSAGE_IDS_PER_SESSION = 200;

/** Creates this connection's capture table and turns capture on. Once per opened database. */
export async function startChangeCapture(db: Db): Promise<void> {
  await db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS confab_changed (kind text NOT NULL, id text, session_id uuid);
    SET confab.capture = 'on';`);
}

export async function drainChanges(db: Db): Promise<ChangeSet> {
  const rows = await db.query<{ kind: string; id: string | null; session_id: string | null }>(
    sql`DELETE FROM confab_changed RETURNING kind, id, session_id`,
  );
  return toChangeSet(rows);
}

export function toChangeSet(rows: readonly { kind: string; id: string | null; session_id: string | null }[]): ChangeSet {
  const set = emptyChangeSet();
  if (rows.length === 0) return set;
  const sessions = new Set<string>();
  const providers = new Set<string>();
  const settings = new Set<string>();
  /** Per session: the message ids, or null for "reload it". */
  const messages = new Map<string, Set<string> | null>();
  const leafMoves: { sessionId: string; leafId: string | null }[] = [];
  for (const row of rows) {
    if (row.kind === 'leaf' && row.session_id) leafMoves.push({ sessionId: row.session_id, leafId: row.id });
    if (row.kind === 'session' && row.id) sessions.add(row.id);
    else if (row.kind === 'provider' && row.id) providers.add(row.id);
    else if (row.kind === 'setting' && row.id) settings.add(row.id);
    else if (row.kind === 'message' && row.session_id) {
      const ids = messages.has(row.session_id) ? messages.get(row.session_id)! : new Set<string>();
      if (ids === null) continue;
      if (row.id === null || ids.size >= MAX_MESSAGE_IDS_PER_SESSION) messages.set(row.session_id, null);
      else messages.set(row.session_id, ids.add(row.id));
    }
  }
  // A leaf that moved onto a message this call wrote is a reply appended at the end of the
  // branch: its ids say it all. Any other move (a switch, a jump, a delete) reloads the chat.
  for (const move of leafMoves) {
    const ids = messages.get(move.sessionId);
    if (ids === null || (ids && move.leafId !== null && ids.has(move.leafId))) continue;
    messages.set(move.sessionId, null);
  }
  set.sessions = [...sessions];
  set.providers = [...providers];
  set.settings = [...settings];
  set.messages = [...messages].map(([sessionId, ids]) => ({ sessionId, messageIds: ids ? [...ids] : [] }));
  return set;
}

/** Adds `more` into `into` (a job's batches, one announcement). */
export function mergeChangeSets(into: ChangeSet, more: ChangeSet): ChangeSet {
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  const messages = new Map<string, string[] | null>();
  for (const group of [...into.messages, ...more.messages]) {
    const known = messages.get(group.sessionId);
    if (known === null) continue;
    const ids = group.messageIds.length === 0 ? null : union(known ?? [], group.messageIds);
    messages.set(group.sessionId, ids && ids.length <= MAX_MESSAGE_IDS_PER_SESSION ? ids : null);
  }
  return {
    sessions: union(into.sessions, more.sessions),
    providers: union(into.providers, more.providers),
    settings: union(into.settings, more.settings),
    messages: [...messages].map(([sessionId, ids]) => ({ sessionId, messageIds: ids ?? [] })),
  };
}
