/**
 * Sends a File to main in chunks: the renderer never puts a whole file in one message (a 200 MB
 * file would not fit a WebSocket frame, and would sit in memory twice as base64). Each chunk is
 * read from the File only when it is sent.
 */
import type { ConfabApi } from '@shared/client';
import type { Attachment } from '@shared/types';

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode with a million arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export async function uploadFile(
  api: ConfabApi,
  sessionId: string,
  file: Blob & { name: string },
  onProgress: (sent: number) => void,
  signal?: AbortSignal,
): Promise<Attachment> {
  const began = await api.attachments.uploadBegin({ sessionId, fileName: file.name, sizeBytes: file.size });
  try {
    for (let offset = 0; offset < file.size; offset += began.chunkBytes) {
      if (signal?.aborted) throw new DOMException('The upload was cancelled.', 'AbortError');
      const piece = new Uint8Array(await file.slice(offset, offset + began.chunkBytes).arrayBuffer());
      await api.attachments.uploadChunk({ uploadId: began.uploadId, offset, data: toBase64(piece) });
      onProgress(Math.min(file.size, offset + piece.length));
    }
  } catch (err) {
    await api.attachments.uploadCancel({ uploadId: began.uploadId }).catch(() => undefined);
    throw err;
  }
  return api.attachments.uploadFinish({ uploadId: began.uploadId });
}

/**
 * A whole (small) file's bytes as the base64 pieces attachments.read answers with, untouched:
 * decoding them is the image worker's job, not the page's main thread's.
 */
export async function readBase64Parts(api: ConfabApi, attachment: Attachment): Promise<string[]> {
  const parts: string[] = [];
  let offset = 0;
  for (;;) {
    const piece = await api.attachments.read({ id: attachment.id, offset });
    parts.push(piece.data);
    // Base64's length gives the byte count without decoding.
    const length = (piece.data.length / 4) * 3 - (piece.data.endsWith('==') ? 2 : piece.data.endsWith('=') ? 1 : 0);
    offset += length;
    if (piece.eof || length === 0) return parts;
  }
}

/** The pieces as one data: URL, on the calling thread: the fallback where no worker runs. */
export function dataUrlOnThisThread(mediaType: string, parts: readonly string[]): string {
  const chunks = parts.map(fromBase64);
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return `data:${mediaType};base64,${toBase64(all)}`;
}
