import { z } from 'zod';
import {
  ATTACHMENT_CHUNK_BYTES,
  ATTACHMENT_MAX_FILE_BYTES,
  ATTACHMENT_NAME_MAX_CHARS,
  ATTACHMENTS_MAX_PER_MESSAGE,
  formatLimit,
  SEARCH_QUERY_MAX_CHARS,
} from '../limits';
import type { Attachment, AttachmentBytes, AttachmentText, AttachmentUpload, SearchHit } from '../types';
import { id, limit } from './fields';
import { method } from './spec';

const MB = 1024 * 1024;
/** Base64 of one chunk: 4 characters per 3 bytes, padded. */
const CHUNK_BASE64_MAX = Math.ceil(ATTACHMENT_CHUNK_BYTES / 3) * 4;

const fileName = z
  .string()
  .trim()
  .min(1, 'a file needs a name')
  .max(ATTACHMENT_NAME_MAX_CHARS, `a file name can be at most ${ATTACHMENT_NAME_MAX_CHARS} characters`)
  // Only a label: path separators and control characters have no place in it.
  .transform((v) => v.replace(/[\u0000-\u001f\u007f/\\]/g, '_'));

export const attachmentsMethods = {
  /**
   * Starts sending a file to a chat's composer. The bytes follow in chunks (attachments.uploadChunk)
   * so that no frame carries a whole file; a file over the limit is refused here, before any byte.
   */
  'attachments.uploadBegin': method<AttachmentUpload>()(
    z
      .object({
        sessionId: id,
        fileName,
        sizeBytes: z
          .number()
          .int()
          .min(0)
          .max(ATTACHMENT_MAX_FILE_BYTES, `a file can be at most ${formatLimit(ATTACHMENT_MAX_FILE_BYTES / MB)} MB`),
      })
      .strict(),
  ),
  /** The next piece of an upload, in order: `offset` is the number of bytes sent before it. */
  'attachments.uploadChunk': method<{ received: number }>()(
    z
      .object({
        uploadId: id,
        offset: z.number().int().min(0).max(ATTACHMENT_MAX_FILE_BYTES),
        data: z
          .string()
          .max(CHUNK_BASE64_MAX, `a chunk can be at most ${formatLimit(ATTACHMENT_CHUNK_BYTES)} bytes`)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
      })
      .strict(),
  ),
  /**
   * Ends an upload: the file is checked (its type from its bytes), stored once by its SHA-256 and
   * read (text, image size) off the main thread. Resolves with the draft once it is ready or failed.
   */
  'attachments.uploadFinish': method<Attachment>()(z.object({ uploadId: id }).strict()),
  'attachments.uploadCancel': method<{ cancelled: boolean }>()(z.object({ uploadId: id }).strict()),
  /** Removes a draft from the composer (a sent message's files go with the message). */
  'attachments.remove': method<{ removed: boolean }>()(z.object({ id }).strict()),
  'attachments.get': method<Attachment>()(z.object({ id }).strict()),
  /** The files of these messages, each message's in the order they were added. */
  'attachments.list': method<Attachment[]>()(z.object({ messageIds: z.array(id).min(1).max(500) }).strict()),
  /** A piece of a file's bytes (the viewer and thumbnails read images this way, in chunks). */
  'attachments.read': method<AttachmentBytes>()(
    z
      .object({
        id,
        offset: z.number().int().min(0).max(ATTACHMENT_MAX_FILE_BYTES).default(0),
        length: z.number().int().min(1).max(ATTACHMENT_CHUNK_BYTES).default(ATTACHMENT_CHUNK_BYTES),
      })
      .strict(),
  ),
  /** The text read out of a document, or a part of it. */
  'attachments.text': method<AttachmentText>()(
    z.object({ id, offset: z.number().int().min(0).default(0), limit: limit(200_000, 50_000) }).strict(),
  ),
  /** Sent files by name and by their text; hits jump to the message. */
  'attachments.search': method<SearchHit[]>()(
    z.object({ q: z.string().max(SEARCH_QUERY_MAX_CHARS), limit: limit(100, 20) }).strict(),
  ),
};

export const attachmentsEvents = {};

/** For chat.send: the drafts that go with the message. */
export const attachmentIds = z
  .array(id)
  .max(ATTACHMENTS_MAX_PER_MESSAGE, `a message can carry at most ${ATTACHMENTS_MAX_PER_MESSAGE} attachments`);
