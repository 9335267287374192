/**
 * Row mappers at the DB boundary. PGlite and node-postgres differ in how they hand back bigints
 * (number vs string) and times (Date either way, string in some paths); every conversion happens
 * here, once, so the rest of the code sees the contract's JSON-safe types.
 */
import { readChatParams } from '@shared/chatParams';
import type {
  AppLogEntry,
  LogLevel,
  BranchMessage,
  GenerationRun,
  Message,
  MessageRole,
  MessageStatus,
  RunStatus,
  Session,
  SessionStatus,
  SessionSummary,
  Visibility,
} from '@shared/types';
import type { Row } from './database';

export function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  throw new TypeError(`Expected a timestamp, got ${typeof value}`);
}

export function toIsoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toIso(value);
}

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'bigint') return Number(value);
  return 0;
}

export function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

const str = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function rowToSession(row: Row): Session {
  return {
    id: str(row.id),
    ownerId: str(row.owner_id),
    title: str(row.title),
    description: str(row.description),
    status: row.status as SessionStatus,
    pinned: row.pinned === true,
    tags: Array.isArray(row.tags) ? (row.tags as string[]) : [],
    providerId: strOrNull(row.provider_id),
    model: strOrNull(row.model),
    systemPrompt: str(row.system_prompt),
    settings: (row.settings ?? {}) as Record<string, unknown>,
    params: readChatParams((row.settings as { params?: unknown } | null)?.params),
    visibility: row.visibility as Visibility,
    currentLeafId: strOrNull(row.current_leaf_id),
    messageCount: toNumber(row.message_count),
    tokensIn: toNumber(row.tokens_in),
    tokensOut: toNumber(row.tokens_out),
    lastMessageAt: toIsoOrNull(row.last_message_at),
    lastActivityAt: toIso(row.last_activity_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    deletedAt: toIsoOrNull(row.deleted_at),
  };
}

export function rowToSessionSummary(row: Row): SessionSummary {
  return {
    ...rowToSession(row),
    lastMessagePreview: strOrNull(row.last_message_preview),
    lastMessageRole: (row.last_message_role ?? null) as MessageRole | null,
  };
}

export function rowToMessage(row: Row): Message {
  return {
    id: str(row.id),
    sessionId: str(row.session_id),
    parentId: strOrNull(row.parent_id),
    depth: toNumber(row.depth),
    role: row.role as MessageRole,
    content: str(row.content),
    contentType: str(row.content_type),
    status: row.status as MessageStatus,
    providerId: strOrNull(row.provider_id),
    model: strOrNull(row.model),
    tokensIn: toNumberOrNull(row.tokens_in),
    tokensOut: toNumberOrNull(row.tokens_out),
    tokensEstimated: row.tokens_estimated === true,
    latencyMs: toNumberOrNull(row.latency_ms),
    errorCode: strOrNull(row.error_code),
    errorMessage: strOrNull(row.error_message),
    toolCalls: row.tool_calls ?? null,
    reasoning: str(row.reasoning ?? ''),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    deletedAt: toIsoOrNull(row.deleted_at),
  };
}

export function rowToBranchMessage(row: Row): BranchMessage {
  return {
    ...rowToMessage(row),
    siblingCount: Math.max(1, toNumber(row.sibling_count)),
    siblingIndex: toNumber(row.sibling_index),
  };
}

export function rowToRun(row: Row): GenerationRun {
  return {
    id: str(row.id),
    sessionId: strOrNull(row.session_id),
    messageId: strOrNull(row.message_id),
    providerId: str(row.provider_id),
    model: str(row.model),
    status: row.status as RunStatus,
    tokensIn: toNumber(row.tokens_in),
    tokensOut: toNumber(row.tokens_out),
    tokensEstimated: row.tokens_estimated === true,
    ttftMs: toNumberOrNull(row.ttft_ms),
    totalMs: toNumberOrNull(row.total_ms),
    errorCode: strOrNull(row.error_code),
    errorMessage: strOrNull(row.error_message),
    startedAt: toIso(row.started_at),
    finishedAt: toIsoOrNull(row.finished_at),
  };
}

export function rowToAppLog(row: Row): AppLogEntry {
  return {
    id: str(row.id),
    level: str(row.level) as LogLevel,
    source: str(row.source),
    message: str(row.message),
    details: row.details ?? null,
    createdAt: toIso(row.created_at),
  };
}

/**
 * Text and JSON on the way in. PostgreSQL text cannot hold NUL, and jsonb also refuses unpaired
 * UTF-16 surrogates (the drivers already turn those into U+FFFD in plain text). One such
 * character in a pasted text or a model's reply would otherwise fail the whole write, so each
 * becomes U+FFFD.
 */
const NUL_RE = /\u0000/g;
const UNSTORABLE_JSON_RE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function toDbText(text: string): string;
export function toDbText(text: string | null): string | null;
export function toDbText(text: string | null): string | null {
  return text === null ? null : text.replace(NUL_RE, '\uFFFD');
}

/** JSON text for a jsonb parameter, with unstorable characters replaced in strings and keys. */
export function toDbJson(value: unknown): string {
  const clean = (text: string) => text.replace(UNSTORABLE_JSON_RE, '\uFFFD');
  return JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (typeof v === 'string') return clean(v);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v);
      if (entries.some(([k]) => clean(k) !== k)) return Object.fromEntries(entries.map(([k, x]) => [clean(k), x]));
    }
    return v;
  });
}

/** Cursors are opaque to clients: base64url JSON, validated on the way back in. */
export function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): unknown[] | null {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(parts) && parts.length === arity ? parts : null;
  } catch {
    return null;
  }
}
