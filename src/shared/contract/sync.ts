import { z } from 'zod';
import type { SyncMember, SyncStatus, TeamSessionSummary, TeamUsage } from '../types';
import { empty, id, isoDate, limit } from './fields';
import { event, method } from './spec';

/** A PostgreSQL connection string; the password in it is sealed like an API key before it is stored. */
const url = z
  .string()
  .trim()
  .max(4096)
  .regex(/^postgres(ql)?:\/\//i, 'must be a PostgreSQL connection string (postgres://user:password@host/database)');

export const syncMethods = {
  /** Where sync stands now (also sent as the sync.status event whenever it changes). */
  'sync.status': method<SyncStatus>()(empty),
  /** Tries a connection string without storing it: connects, checks the server's schema and membership. */
  'sync.test': method<{ ok: true; server: NonNullable<SyncStatus['server']> }>()(z.object({ url }).strict()),
  /** Tests, stores the URL (password sealed) and starts syncing; the first round runs in the background. */
  'sync.connect': method<SyncStatus>()(z.object({ url }).strict()),
  /** Stops syncing and forgets the URL; local data, including changes not yet pushed, stays. */
  'sync.disconnect': method<SyncStatus>()(empty),
  /** Runs a round now (or right after the one in progress). */
  'sync.now': method<SyncStatus>()(empty),
  /** Drops this device's rejected change and takes the server's version of that row. */
  'sync.useServerVersion': method<SyncStatus>()(z.object({ no: z.number().int().min(1) }).strict()),
  /** Makes one of the user's chats visible to their team (true) or private again (false). */
  'sync.share': method<{ sessionId: string; shared: boolean }>()(
    z.object({ sessionId: id, shared: z.boolean() }).strict(),
  ),
  /** Who a shared chat is visible to (the owner's team, without the owner). */
  'sync.sharedWith': method<SyncMember[]>()(z.object({ sessionId: id }).strict()),
  /** Chats teammates shared, newest activity first. */
  'sync.teamSessions': method<TeamSessionSummary[]>()(z.object({ limit: limit(500, 200) }).strict()),
  /** "Continue in my copy": a private copy of a teammate's chat (its shown branch), owned by this user. */
  'sync.fork': method<{ sessionId: string }>()(z.object({ sessionId: id }).strict()),
  /** Usage per member of the team over a range, from the server (empty and enabled=false unless the admin enabled it). */
  'sync.teamUsage': method<TeamUsage>()(z.object({ from: isoDate, to: isoDate }).strict()),
};

export const syncEvents = {
  'sync.status': event<SyncStatus>(),
};
