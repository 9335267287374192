/**
 * Search across every chat (Cmd+K) and find in one chat (Cmd+F).
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
import type { MessageRole } from './messages';
import type { SessionStatus } from './sessions';

export interface SearchHit {
  kind: 'message' | 'session';
  sessionId: string;
  sessionTitle: string;
  sessionStatus: SessionStatus;
  sessionDeleted: boolean;
  messageId: string | null;
  role: MessageRole | null;
  /** Snippet text with hits wrapped in SNIPPET_MARK_START / SNIPPET_MARK_END. */
  snippet: string;
  createdAt: string;
  rank: number;
}

/** Control characters that cannot appear in user text after sanitising, used to mark hits. */
export const SNIPPET_MARK_START = '\u0002';

export const SNIPPET_MARK_END = '\u0003';

export interface SearchResult {
  hits: SearchHit[];
  tookMs: number;
}

/** A hit of Find in the open chat; hits come in branch order, oldest first. */
export interface SessionSearchHit {
  messageId: string;
  role: MessageRole;
  /** Snippet text with hits wrapped in SNIPPET_MARK_START / SNIPPET_MARK_END. */
  snippet: string;
  createdAt: string;
}

export interface SessionSearchResult {
  hits: SessionSearchHit[];
  /** More hits than `limit` exist on the branch; only the first `limit` are returned. */
  truncated: boolean;
  tookMs: number;
}
