/**
 * attachments: a file on a message (or a draft in the composer). The bytes are in the blob store
 * under the data folder; these rows say what the file is and what was read out of it.
 */
import { attachmentKind } from '@shared/attachments';
import { ConfabError } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import { ATTACHMENTS_MAX_MESSAGE_BYTES, ATTACHMENTS_MAX_PER_MESSAGE, formatLimit } from '@shared/limits';
import type { Attachment, AttachmentStatus } from '@shared/types';
import type { RepoContext } from '../context';
import type { Row } from '../database';
import { toIso, toNumber, toNumberOrNull } from '../rows';
import { sql } from '../sql';

/** Everything but the extracted text, which can be 5 million characters: only its length. */
const COLUMNS = sql`id, session_id, message_id, position, file_name, media_type, size_bytes, sha256, status,
  error, coalesce(char_length(extracted_text), 0) AS text_chars, width, height, bytes_present, created_at`;

export function rowToAttachment(row: Row): Attachment {
  const mediaType = String(row.media_type);
  return {
    id: String(row.id),
    sessionId: String(row.session_id),
    messageId: row.message_id === null || row.message_id === undefined ? null : String(row.message_id),
    position: toNumber(row.position),
    fileName: String(row.file_name),
    mediaType,
    kind: attachmentKind(mediaType),
    sizeBytes: toNumber(row.size_bytes),
    sha256: String(row.sha256),
    status: row.status as AttachmentStatus,
    error: row.error === null || row.error === undefined ? null : String(row.error),
    textChars: toNumber(row.text_chars),
    width: toNumberOrNull(row.width),
    height: toNumberOrNull(row.height),
    bytesPresent: row.bytes_present !== false,
    createdAt: toIso(row.created_at),
  };
}

export interface CreateAttachmentInput {
  id: string;
  sessionId: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
}

/** A draft: bound to a message when that is sent. */
export async function createAttachment(ctx: RepoContext, input: CreateAttachmentInput): Promise<Attachment> {
  const exists = await ctx.db.query(
    sql`SELECT 1 FROM chat_sessions WHERE id = ${input.sessionId} AND deleted_at IS NULL`,
  );
  if (exists.length === 0) throw new ConfabError('not_found', 'That chat no longer exists, so nothing was attached.');
  const rows = await ctx.db.query(sql`
    INSERT INTO attachments (id, owner_id, session_id, file_name, media_type, size_bytes, sha256, status)
    VALUES (${input.id}, ${ctx.ownerId}, ${input.sessionId}, ${input.fileName}, ${input.mediaType},
            ${input.sizeBytes}, ${input.sha256}, 'processing')
    RETURNING ${COLUMNS}`);
  return rowToAttachment(rows[0]!);
}

export interface ProcessedInput {
  id: string;
  status: Exclude<AttachmentStatus, 'processing'>;
  error?: string | null;
  extractedText?: string | null;
  width?: number | null;
  height?: number | null;
}

export async function markProcessed(ctx: RepoContext, input: ProcessedInput): Promise<Attachment | null> {
  const rows = await ctx.db.query(sql`
    UPDATE attachments
       SET status = ${input.status}, error = ${input.error ?? null}, extracted_text = ${input.extractedText ?? null},
           width = ${input.width ?? null}, height = ${input.height ?? null}
     WHERE id = ${input.id}
    RETURNING ${COLUMNS}`);
  return rows[0] ? rowToAttachment(rows[0]) : null;
}

export async function getAttachment(ctx: RepoContext, id: string): Promise<Attachment> {
  const rows = await ctx.db.query(sql`SELECT ${COLUMNS} FROM attachments WHERE id = ${id} AND deleted_at IS NULL`);
  if (!rows[0]) throw new ConfabError('not_found', 'That attachment no longer exists.');
  return rowToAttachment(rows[0]);
}

/** The attachments of each message, in the order they were added. */
export async function listForMessages(ctx: RepoContext, messageIds: string[]): Promise<Attachment[]> {
  if (messageIds.length === 0) return [];
  const rows = await ctx.db.query(sql`
    SELECT ${COLUMNS} FROM attachments
     WHERE message_id = ANY(${messageIds}::uuid[]) AND deleted_at IS NULL
     ORDER BY message_id, position, created_at`);
  return rows.map(rowToAttachment);
}

/** A document's text, or a part of it (the viewer pages through long ones). */
export async function readText(
  ctx: RepoContext,
  input: { id: string; offset: number; limit: number },
): Promise<{ text: string; totalChars: number }> {
  const rows = await ctx.db.query<{ text: string | null; total: unknown }>(sql`
    SELECT substr(coalesce(extracted_text, ''), ${input.offset + 1}, ${input.limit}) AS text,
           coalesce(char_length(extracted_text), 0) AS total
      FROM attachments WHERE id = ${input.id} AND deleted_at IS NULL`);
  if (!rows[0]) throw new ConfabError('not_found', 'That attachment no longer exists.');
  return { text: rows[0].text ?? '', totalChars: toNumber(rows[0].total) };
}

export interface ContextAttachment {
  messageId: string;
  fileName: string;
  mediaType: string;
  sha256: string;
  sizeBytes: number;
  status: AttachmentStatus;
  bytesPresent: boolean;
  text: string;
}

/** What the model is sent of each message's files: the text in full (trimmed later, to the budget). */
export async function contextAttachments(ctx: RepoContext, messageIds: string[]): Promise<ContextAttachment[]> {
  if (messageIds.length === 0) return [];
  const rows = await ctx.db.query(sql`
    SELECT message_id, file_name, media_type, sha256, size_bytes, status, bytes_present, coalesce(extracted_text, '') AS text
      FROM attachments
     WHERE message_id = ANY(${messageIds}::uuid[]) AND deleted_at IS NULL
     ORDER BY message_id, position, created_at`);
  return rows.map((row) => ({
    messageId: String(row.message_id),
    fileName: String(row.file_name),
    mediaType: String(row.media_type),
    sha256: String(row.sha256),
    sizeBytes: toNumber(row.size_bytes),
    status: row.status as AttachmentStatus,
    bytesPresent: row.bytes_present !== false,
    text: String(row.text),
  }));
}

/** Drafts of a chat, checked before they are sent: they must exist, be drafts of that chat, and fit. */
export async function draftsFor(ctx: RepoContext, sessionId: string, ids: string[]): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  if (new Set(ids).size !== ids.length) throw new ConfabError('invalid_input', 'The same attachment was listed twice.');
  if (ids.length > ATTACHMENTS_MAX_PER_MESSAGE) {
    throw new ConfabError('invalid_input', `A message can carry at most ${ATTACHMENTS_MAX_PER_MESSAGE} attachments.`);
  }
  const rows = await ctx.db.query(sql`
    SELECT ${COLUMNS} FROM attachments
     WHERE id = ANY(${ids}::uuid[]) AND session_id = ${sessionId} AND message_id IS NULL AND deleted_at IS NULL`);
  if (rows.length !== ids.length) {
    throw new ConfabError('not_found', 'An attachment of this message was removed or already sent. Nothing was sent.');
  }
  const drafts = rows.map(rowToAttachment);
  if (drafts.some((a) => a.status === 'processing')) {
    throw new ConfabError('conflict', 'An attachment is still being read. Send again in a moment.');
  }
  const total = drafts.reduce((n, a) => n + a.sizeBytes, 0);
  if (total > ATTACHMENTS_MAX_MESSAGE_BYTES) {
    throw new ConfabError(
      'invalid_input',
      `The attachments of one message can be at most ${formatLimit(ATTACHMENTS_MAX_MESSAGE_BYTES / 1024 / 1024)} MB together. Nothing was sent.`,
    );
  }
  return ids.map((id) => drafts.find((a) => a.id === id)!);
}

/** Binds drafts to the message they were sent with, in the order given. Inside the send's transaction. */
export async function bindToMessage(
  ctx: RepoContext,
  sessionId: string,
  messageId: string,
  ids: string[],
): Promise<void> {
  await draftsFor(ctx, sessionId, ids);
  for (const [position, id] of ids.entries()) {
    await ctx.db.query(sql`UPDATE attachments SET message_id = ${messageId}, position = ${position} WHERE id = ${id}`);
  }
}

/**
 * An edited message keeps its files: the new version gets its own rows naming the same blobs (the
 * bytes are not copied), so either version can be deleted without touching the other's files.
 */
export async function copyToMessage(ctx: RepoContext, fromMessageId: string, toMessageId: string): Promise<void> {
  const rows = await ctx.db.query<{ id: string }>(
    sql`SELECT id FROM attachments WHERE message_id = ${fromMessageId} AND deleted_at IS NULL ORDER BY position, created_at`,
  );
  for (const row of rows) {
    await ctx.db.query(sql`
      INSERT INTO attachments (id, owner_id, session_id, message_id, position, file_name, media_type, size_bytes, sha256,
                               status, error, extracted_text, width, height, bytes_present)
      SELECT ${uuidv7()}, owner_id, session_id, ${toMessageId}, position, file_name, media_type, size_bytes, sha256,
             status, error, extracted_text, width, height, bytes_present
        FROM attachments WHERE id = ${row.id}`);
  }
}

/** Removes a draft from the composer; attachments on a sent message go with their message. */
export async function removeDraft(ctx: RepoContext, id: string): Promise<{ removed: boolean }> {
  const rows = await ctx.db.query(sql`DELETE FROM attachments WHERE id = ${id} AND message_id IS NULL RETURNING id`);
  return { removed: rows.length > 0 };
}

/** The hash of a row, for reading its bytes. */
export async function blobOf(
  ctx: RepoContext,
  id: string,
): Promise<{ sha256: string; sizeBytes: number; mediaType: string; bytesPresent: boolean }> {
  const a = await getAttachment(ctx, id);
  return { sha256: a.sha256, sizeBytes: a.sizeBytes, mediaType: a.mediaType, bytesPresent: a.bytesPresent };
}
