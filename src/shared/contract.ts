/**
 * The API contract, declared once. Every method has a name, a zod input schema and an output
 * type; the handler map (main), the client (preload, web bridge) and the channel list are all
 * derived from this object, so a method cannot exist on one side only.
 */
import { z } from 'zod';
import {
  formatLimit,
  MESSAGE_MAX_CHARS,
  SEARCH_QUERY_MAX_CHARS,
  SESSION_DESCRIPTION_MAX_CHARS,
  SESSION_TITLE_MAX_CHARS,
  STORED_JSON_MAX_CHARS,
  SYSTEM_PROMPT_MAX_CHARS,
} from './limits';
import { isKnownTimeZone } from './timeZone';
import type {
  AppInfo,
  BranchMessage,
  ChatSettings,
  DetectedProvider,
  FailedRun,
  Message,
  MessageDeletion,
  MessageStatus,
  ModelPrice,
  MessageWindow,
  Page,
  ProviderConfig,
  ProviderPresetInfo,
  SaveCsvResult,
  SearchResult,
  Session,
  SessionSearchResult,
  SessionSummary,
  SessionUsage,
  UsageBucket,
  UsageByModel,
  UsageBySession,
  UsageDashboard,
  UsageSettings,
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

/**
 * Ids arrive in any case (UUIDs are case-insensitive) but are compared as strings everywhere
 * after this point (the busy check, maps in views), so they are lower-cased at the boundary.
 */
const id = z.uuid().transform((v) => v.toLowerCase());
const empty = z.object({}).strict();
const title = z.string().max(SESSION_TITLE_MAX_CHARS);
const tag = z.string().trim().min(1).max(64);
const limit = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);
const isoDate = z.iso.datetime({ offset: true });
/** IANA time zone names known to this runtime; they reach SQL only as parameters. */
const timeZone = z
  .string()
  .max(64)
  .refine(isKnownTimeZone, 'must be a known time zone name, such as Europe/Berlin or UTC')
  .default('UTC');
const providerPreset = z.enum(['openai', 'ollama', 'lmstudio', 'llamacpp', 'openrouter', 'anthropic', 'custom']);
const providerName = z.string().trim().min(1).max(200);
/** Only http(s): the address is fetched by main, so file: or other schemes must not get through. */
const baseUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => /^https?:\/\/[^\s/?#]+/i.test(v) && URL.canParse(v), 'must be an http:// or https:// address');
const apiKey = z.string().trim().min(1).max(4000);
const modelName = z.string().trim().min(1).max(200);
const modelList = z.array(modelName).max(500);
const contextBudget = z.number().int().min(256).max(10_000_000);
const messageText = z
  .string()
  .max(MESSAGE_MAX_CHARS, `a message can be at most ${formatLimit(MESSAGE_MAX_CHARS)} characters`)
  .refine((v) => /\S/.test(v), 'must not be empty');
const systemPrompt = z
  .string()
  .max(SYSTEM_PROMPT_MAX_CHARS, `a system prompt can be at most ${formatLimit(SYSTEM_PROMPT_MAX_CHARS)} characters`);
/** A JSON value a view stores; bounded so that every valid request fits the transport. */
const storedJson = <T extends z.ZodType>(schema: T) =>
  schema.refine(
    (v) => (JSON.stringify(v) ?? '').length <= STORED_JSON_MAX_CHARS,
    `must be at most ${formatLimit(STORED_JSON_MAX_CHARS)} characters as JSON`,
  );
const usageRange = z.object({ from: isoDate.optional(), to: isoDate.optional(), timeZone }).strict();
/** Longest range the Usage view asks for: ten years of days. */
export const MAX_USAGE_DAYS = 3660;
const dayCount = (r: { fromDay: string; toDay: string }) =>
  (Date.parse(r.toDay) - Date.parse(r.fromDay)) / 86_400_000 + 1;
/** Whole calendar days in the user's zone, both ends included: what the Usage view filters by. */
const dayRangeFields = { fromDay: z.iso.date(), toDay: z.iso.date(), timeZone };
const validDayRange = <T extends { fromDay: string; toDay: string }>(r: T) =>
  dayCount(r) >= 1 && dayCount(r) <= MAX_USAGE_DAYS;
const dayRangeMessage = { message: `must run forward and span at most ${MAX_USAGE_DAYS} days` };
const dayRange = z.object(dayRangeFields).strict().refine(validDayRange, dayRangeMessage);
const modelPriceName = z.string().trim().min(1).max(200);
/** US dollars per million tokens. */
const pricePerMTok = z.number().min(0).max(100_000);
const days = z.number().int().min(1).max(36_500);

export const contract = {
  'app.info': method<AppInfo>()(empty),

  'sessions.create': method<Session>()(
    z
      .object({
        title: title.optional(),
        providerId: z.string().max(200).nullable().optional(),
        model: z.string().max(200).nullable().optional(),
        systemPrompt: systemPrompt.optional(),
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
        description: z.string().max(SESSION_DESCRIPTION_MAX_CHARS).optional(),
        tags: z.array(tag).max(32).optional(),
        systemPrompt: systemPrompt.optional(),
        providerId: z.string().max(200).nullable().optional(),
        model: z.string().max(200).nullable().optional(),
        settings: storedJson(z.record(z.string(), z.unknown())).optional(),
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
        content: z.string().max(MESSAGE_MAX_CHARS),
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
  /** Hides the message and everything that follows from it (tombstones, so Undo can bring them back). */
  'messages.delete': method<MessageDeletion>()(z.object({ messageId: id }).strict()),
  /** Undo of messages.delete, given the same message id. */
  'messages.restore': method<MessageDeletion>()(z.object({ messageId: id }).strict()),

  'search.query': method<SearchResult>()(
    z
      .object({
        q: z.string().max(SEARCH_QUERY_MAX_CHARS),
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
  'usage.bySession': method<UsageBySession[]>()(usageRange.extend({ limit: limit(100, 10) }).strict()),

  /** Everything the Usage view shows for a range of days, in one call. */
  'usage.dashboard': method<UsageDashboard>()(
    z
      .object({ ...dayRangeFields, topSessions: limit(50, 10), failedRuns: limit(200, 50) })
      .strict()
      .refine(validDayRange, dayRangeMessage),
  ),
  'usage.session': method<SessionUsage>()(z.object({ sessionId: id }).strict()),
  /** Failed and interrupted runs of the last `hours`, newest first. */
  'usage.failedRuns': method<FailedRun[]>()(
    z
      .object({
        hours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90)
          .default(24),
        limit: limit(500, 50),
      })
      .strict(),
  ),
  /** The range's usage as CSV text (one line per day and model), for the renderer to download. */
  'usage.exportCsv': method<{ filename: string; csv: string }>()(dayRange),
  /** The same CSV saved through the host's save dialog; 'unavailable' where the host has none (web). */
  'usage.saveCsv': method<SaveCsvResult>()(dayRange),

  'usage.getSettings': method<UsageSettings>()(empty),
  /** Null turns a budget, run-detail retention or auto-archive off; logs always have a limit. */
  'usage.setSettings': method<UsageSettings>()(
    z
      .object({
        monthlyTokenBudget: z.number().int().min(1).max(1e15).nullable().optional(),
        monthlyCostBudgetUsd: z.number().min(0.01).max(1e9).nullable().optional(),
        logRetentionDays: days.optional(),
        runDetailRetentionDays: days.nullable().optional(),
        autoArchiveDays: days.nullable().optional(),
      })
      .strict(),
  ),

  'prices.list': method<ModelPrice[]>()(empty),
  'prices.set': method<ModelPrice>()(
    z.object({ model: modelPriceName, inputPerMTok: pricePerMTok, outputPerMTok: pricePerMTok }).strict(),
  ),
  'prices.delete': method<{ deleted: boolean }>()(z.object({ model: modelPriceName }).strict()),

  'ui.get': method<unknown>()(z.object({ key: z.string().min(1).max(100) }).strict()),
  'ui.set': method<null>()(
    z
      .object({
        key: z.string().min(1).max(100),
        value: storedJson(z.json()),
      })
      .strict(),
  ),

  'providers.presets': method<ProviderPresetInfo[]>()(empty),
  'providers.list': method<ProviderConfig[]>()(empty),
  'providers.create': method<ProviderConfig>()(
    z
      .object({
        preset: providerPreset,
        /** Defaults to the preset's label. */
        name: providerName.optional(),
        /** Defaults to the preset's address; required for 'custom'. */
        baseUrl: baseUrl.optional(),
        apiKey: apiKey.optional(),
        defaultModel: modelName.nullable().optional(),
        models: modelList.optional(),
        contextBudget: contextBudget.nullable().optional(),
      })
      .strict(),
  ),
  'providers.update': method<ProviderConfig>()(
    z
      .object({
        id,
        name: providerName.optional(),
        baseUrl: baseUrl.optional(),
        /** A new key; null removes the stored one; omitted keeps it. */
        apiKey: apiKey.nullable().optional(),
        defaultModel: modelName.nullable().optional(),
        models: modelList.optional(),
        contextBudget: contextBudget.nullable().optional(),
        enabled: z.boolean().optional(),
      })
      .strict(),
  ),
  'providers.delete': method<{ deleted: boolean }>()(z.object({ id }).strict()),
  /** The server's own list when it answers, else the manual list with the reason in `error`. */
  'providers.models': method<{ models: string[]; source: 'provider' | 'manual'; error: string | null }>()(
    z.object({ id }).strict(),
  ),
  'providers.detectLocal': method<DetectedProvider[]>()(empty),

  'settings.getChat': method<ChatSettings>()(empty),
  'settings.setChat': method<ChatSettings>()(
    z
      .object({
        autoTitle: z.boolean().optional(),
        defaultProviderId: id.nullable().optional(),
        defaultModel: modelName.nullable().optional(),
        contextBudget: contextBudget.optional(),
      })
      .strict(),
  ),

  /**
   * Saves the user's message and starts the reply, which streams as chat.* events; returns once
   * both messages exist. A chat answers one message at a time ('conflict' while it is busy).
   */
  'chat.send': method<{ userMessage: Message; assistantMessage: Message; runId: string }>()(
    z
      .object({
        sessionId: id,
        content: messageText,
        /** Omitted: under the session's current leaf. Null: a new root. */
        parentId: id.nullable().optional(),
      })
      .strict(),
  ),
  /** Stops the chat's reply, keeping the text so far; resolves once it is saved. */
  'chat.stop': method<{ stopped: boolean }>()(z.object({ sessionId: id }).strict()),
  /** A new answer to the same question, as a sibling of this assistant message. */
  'chat.regenerate': method<{ assistantMessage: Message; runId: string }>()(z.object({ messageId: id }).strict()),
  /** A changed copy of this user message, as its sibling, and a new answer to it. */
  'chat.edit': method<{ userMessage: Message; assistantMessage: Message; runId: string }>()(
    z.object({ messageId: id, content: messageText }).strict(),
  ),
  'chat.active': method<{ sessionIds: string[] }>()(empty),

  // Jump to a message, page toward the newest, find in the open chat (issue 4: palette and paging).
  /**
   * The page of the message's branch around it. If the message is not on the session's current
   * branch, the newest leaf under it becomes the current leaf (as switching to it would).
   */
  'messages.locate': method<MessageWindow>()(z.object({ messageId: id, limit: limit(200, 50) }).strict()),
  /**
   * The messages below `after` on the session's current branch, oldest first (null: from the
   * root). `nextCursor` is the `after` for the next page. 'conflict' when `after` is no longer on
   * the current branch.
   */
  'messages.listNewer': method<Page<BranchMessage>>()(
    z.object({ sessionId: id, after: id.nullable(), limit: limit(500, 50) }).strict(),
  ),
  /** Find in the open chat: matches on the session's current branch, in branch order. */
  'search.inSession': method<SessionSearchResult>()(
    z.object({ sessionId: id, q: z.string().max(SEARCH_QUERY_MAX_CHARS), limit: limit(2000, 500) }).strict(),
  ),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<K extends MethodName> = z.input<Contract[K]['input']>;
export type ParsedInput<K extends MethodName> = z.output<Contract[K]['input']>;
export type MethodOutput<K extends MethodName> = Contract[K] extends MethodSpec<z.ZodType, infer O> ? O : never;

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

// --- Change feed (renderer side, issue 10 part 6) -------------------------------------------
// Where a change came from. Optional until main tags every change set with it; the renderer
// treats a missing source as 'local'. (To be ported into the split contract's changes.ts.)
export type ChangeSource = 'local' | 'import' | 'remote' | 'system';
// --- end change feed ---------------------------------------------------------------------------

/** Events from main to every view. */
export interface EventMap {
  'sessions.changed': { ids: string[]; source?: ChangeSource };
  /** `messageIds: []` means "reload this chat" (a branch switch, a bulk change). */
  'messages.changed': { sessionId: string; messageIds: string[]; source?: ChangeSource };
  // Change feed (issue 10 part 6): providers and settings announce their changes too.
  'providers.changed': { ids: string[]; source?: ChangeSource };
  'settings.changed': { keys: string[]; source?: ChangeSource };
  /** A reply began streaming into this (assistant) message. */
  'chat.started': { sessionId: string; messageId: string };
  /** `text` is the new piece only; append it to what came before. */
  'chat.delta': { sessionId: string; messageId: string; text: string };
  /** The reply ended; the message in the DB is final (status 'complete', 'error', 'cancelled' or 'interrupted'). */
  'chat.done': {
    sessionId: string;
    messageId: string;
    status: MessageStatus;
    errorCode: string | null;
    errorMessage: string | null;
  };
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = [
  'sessions.changed',
  'messages.changed',
  'providers.changed',
  'settings.changed',
  'chat.started',
  'chat.delta',
  'chat.done',
];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

/** Electron IPC channels all carry this prefix; main ignores anything else. */
export const CHANNEL_PREFIX = 'confab:';
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;
export const channelFor = (name: MethodName): string => `${CHANNEL_PREFIX}${name}`;
