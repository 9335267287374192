/**
 * Import: what a parser of another app's export yields (one conversation at a time) and what
 * the import job reports. JSON-safe (times are ISO strings): bundles travel from the parser to
 * the DB worker by message.
 */
import type { MessageRole, MessageStatus } from './messages';

/** The apps whose exports Confab reads. 'confab' is Confab's own export. */
export type ImportSource = 'chatgpt' | 'claude' | 'openwebui' | 'confab';

/** A file the export mentions but does not contain: referenced, marked absent. */
export interface ImportedAttachment {
  name: string;
  kind: 'image' | 'file';
  mimeType: string | null;
  size: number | null;
  /** The source's own reference (file id, `file-service://…`, `sediment://…`), to find it later. */
  sourceRef: string | null;
  /** Always true today: exports carry references, not the bytes. */
  absent: true;
}

export interface ImportedMessage {
  /** The node's id in the source; the message's id in Confab is derived from it. */
  sourceId: string;
  /** Null for a root. Always a message of the same bundle that comes earlier in `messages`. */
  parentSourceId: string | null;
  role: MessageRole;
  content: string;
  /** Thinking, thoughts and reasoning summaries: kept apart from the answer. */
  reasoning: string;
  model: string | null;
  createdAt: string;
  status: Extract<MessageStatus, 'complete' | 'interrupted' | 'error'>;
  /** Tool calls and results as the source described them (names, inputs, outputs). */
  toolCalls: unknown[] | null;
  /** Attachments, citations, the source's content type: what does not fit a column. */
  metadata: Record<string, unknown> | null;
}

/** One conversation, ready to write: messages ordered parents first. */
export interface ConversationBundle {
  source: Exclude<ImportSource, 'confab'>;
  sourceId: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  model: string | null;
  /** The branch that was on screen, when the source says (else the newest leaf). */
  currentLeafSourceId: string | null;
  archived: boolean;
  pinned: boolean;
  messages: ImportedMessage[];
  /** Things repaired while reading it (a parent not in the file, a root listed late). */
  repairs: string[];
}

/** A conversation the parser could not use, and why, in a sentence. */
export interface SkippedConversation {
  title: string;
  reason: string;
}

/** What a dry run found in a file, before anything is written. */
export interface ImportPreview {
  source: ImportSource;
  conversations: number;
  messages: number;
  /** Messages with more than one child: regenerated or edited turns. */
  branchPoints: number;
  firstAt: string | null;
  lastAt: string | null;
  skipped: SkippedConversation[];
  repairs: number;
}

/** Checked counts after an import or restore: what was read against what was written. */
export interface ImportVerification {
  conversationsRead: number;
  messagesRead: number;
  /** New rows this import wrote. */
  conversationsWritten: number;
  messagesWritten: number;
  /** Rows that were there already from an earlier import of the same chats. */
  conversationsExisting: number;
  messagesExisting: number;
  /** Messages compared field by field with the source. */
  sampled: number;
  /** Every problem found; an import with any is rolled back. */
  mismatches: string[];
  /** A sample of imported text that search found (true) or not. */
  searchFound: boolean | null;
}

export interface ImportReport {
  source: ImportSource;
  skipped: SkippedConversation[];
  verification: ImportVerification;
}
