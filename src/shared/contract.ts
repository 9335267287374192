/**
 * The API contract, declared once. Every method has a name, a zod input schema and an output
 * type; the handler map (main), the client (preload, web bridge) and the channel list are all
 * derived from this object, so a method cannot exist on one side only.
 */
import { z } from 'zod';
import type {
  AppInfo,
  BranchMessage,
  Message,
  Page,
  SearchResult,
  Session,
  SessionSummary,
  UsageBucket,
  UsageByModel,
  UsageBySession,
  UsageTotals,
} from './types';

interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the output type only. */
  output?: O;
}

function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input });
}

const id = z.uuid();
const empty = z.object({}).strict();
const title = z.string().max(500);
const tag = z.string().trim().min(1).max(64);
const limit = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);
const isoDate = z.iso.datetime({ offset: true });
/** IANA time zone names only: they end up as a SQL parameter, never spliced into SQL. */
const timeZone = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_+\-/]+$/)
  .default('UTC');
const usageRange = z
  .object({ from: isoDate.optional(), to: isoDate.optional(), timeZone })
  .strict();

export const contract = {
  'app.info': method<AppInfo>()(empty),

  'sessions.create': method<Session>()(
    z
      .object({
        title: title.optional(),
        providerId: z.string().max(200).nullable().optional(),
        model: z.string().max(200).nullable().optional(),
        systemPrompt: z.string().max(100_000).optional(),
        tags: z.array(tag).max(32).optional(),
      })
      .strict(),
  ),
  'sessions.get': method<SessionSummary>()(z.object({ id }).strict()),
  'sessions.list': method<Page<SessionSummary>>()(
    z
      .object({
        view: z.enum(['active', 'archived', 'trash']).default('active'),
        tag: tag.optional(),
        limit: limit(500, 100),
        cursor: z.string().max(200).nullable().optional(),
      })
      .strict(),
  ),
  'sessions.rename': method<Session>()(z.object({ id, title }).strict()),
  'sessions.update': method<Session>()(
    z
      .object({
        id,
        description: z.string().max(10_000).optional(),
        tags: z.array(tag).max(32).optional(),
        systemPrompt: z.string().max(100_000).optional(),
        providerId: z.string().max(200).nullable().optional(),
        model: z.string().max(200).nullable().optional(),
        settings: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  ),
  'sessions.setPinned': method<Session>()(z.object({ id, pinned: z.boolean() }).strict()),
  'sessions.setArchived': method<Session>()(z.object({ id, archived: z.boolean() }).strict()),
  'sessions.trash': method<Session>()(z.object({ id }).strict()),
  'sessions.restore': method<Session>()(z.object({ id }).strict()),
  'sessions.purge': method<{ purged: number }>()(z.object({ id }).strict()),
  'sessions.emptyTrash': method<{ purged: number }>()(empty),
  'sessions.tags': method<{ tag: string; count: number }[]>()(empty),
  'sessions.setCurrentLeaf': method<Session>()(z.object({ sessionId: id, messageId: id }).strict()),

  'messages.append': method<Message>()(
    z
      .object({
        sessionId: id,
        /** Omitted: append under the session's current leaf. Null: a new root. */
        parentId: id.nullable().optional(),
        role: z.enum(['user', 'assistant', 'system', 'tool']),
        content: z.string().max(5_000_000),
      })
      .strict(),
  ),
  'messages.listBranch': method<Page<BranchMessage>>()(
    z
      .object({
        sessionId: id,
        /** The leaf of the branch; defaults to the session's current leaf. */
        leafId: id.optional(),
        /** Cursor from a previous page: returns the older messages before it. */
        cursor: z.string().max(200).nullable().optional(),
        limit: limit(500, 50),
      })
      .strict(),
  ),
  'messages.path': method<BranchMessage[]>()(z.object({ messageId: id }).strict()),
  'messages.siblings': method<Message[]>()(z.object({ messageId: id }).strict()),

  'search.query': method<SearchResult>()(
    z
      .object({
        q: z.string().max(1000),
        view: z.enum(['active', 'archived', 'trash', 'all']).default('all'),
        role: z.enum(['user', 'assistant']).optional(),
        limit: limit(100, 20),
      })
      .strict(),
  ),

  'usage.totals': method<UsageTotals>()(usageRange),
  'usage.daily': method<UsageBucket[]>()(usageRange),
  'usage.monthly': method<UsageBucket[]>()(usageRange),
  'usage.byModel': method<UsageByModel[]>()(usageRange),
  'usage.bySession': method<UsageBySession[]>()(
    usageRange.extend({ limit: limit(100, 10) }).strict(),
  ),

  'ui.get': method<unknown>()(z.object({ key: z.string().min(1).max(100) }).strict()),
  'ui.set': method<null>()(
    z
      .object({
        key: z.string().min(1).max(100),
        value: z.json(),
      })
      .strict(),
  ),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<K extends MethodName> = z.input<Contract[K]['input']>;
export type ParsedInput<K extends MethodName> = z.output<Contract[K]['input']>;
export type MethodOutput<K extends MethodName> =
  Contract[K] extends MethodSpec<z.ZodType, infer O> ? O : never;

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

/** Events from main to every view. */
export interface EventMap {
  'sessions.changed': { ids: string[] };
  'messages.changed': { sessionId: string; messageIds: string[] };
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = ['sessions.changed', 'messages.changed'];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

/** Electron IPC channels all carry this prefix; main ignores anything else. */
export const CHANNEL_PREFIX = 'confab:';
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;
export const channelFor = (name: MethodName): string => `${CHANNEL_PREFIX}${name}`;
