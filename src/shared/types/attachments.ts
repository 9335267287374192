/**
 * Attachments: files and images on a message, their bytes stored once per content.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */

/** processing: being read (text, image size); ready: usable; failed: kept, with `error` saying why. */
export type AttachmentStatus = 'processing' | 'ready' | 'failed';

/** How a file reaches a model: images as image parts, documents as their text. */
export type AttachmentKind = 'image' | 'document';

export interface Attachment {
  id: string;
  sessionId: string;
  /** Null while it is a draft in the composer. */
  messageId: string | null;
  position: number;
  fileName: string;
  /** Detected from the bytes, never from the name. */
  mediaType: string;
  kind: AttachmentKind;
  sizeBytes: number;
  sha256: string;
  status: AttachmentStatus;
  error: string | null;
  /** Characters of text read out of a document (0 for images). */
  textChars: number;
  width: number | null;
  height: number | null;
  /** False when this device has only the row (an imported reference), not the bytes. */
  bytesPresent: boolean;
  createdAt: string;
}

export interface AttachmentUpload {
  uploadId: string;
  /** Send the bytes in chunks of at most this many. */
  chunkBytes: number;
}

export interface AttachmentBytes {
  /** Base64 of the bytes from `offset`. */
  data: string;
  offset: number;
  sizeBytes: number;
  eof: boolean;
}

export interface AttachmentText {
  text: string;
  /** The whole text's length; `text` may be a part of it. */
  totalChars: number;
}
