/** A chosen or dropped file sent to main in base64 pieces (a browser has no path to hand over). */
import type { ConfabApi } from '@shared/client';

/** Bytes per piece: 2 MB becomes about 2.7 million base64 characters, under the contract's 4 million. */
const PIECE_BYTES = 2 * 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

/** FileReader rather than Blob.arrayBuffer(): the one way every host (and jsdom) supports. */
function readBytes(file: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsArrayBuffer(file);
  });
}

export async function uploadFile(api: ConfabApi, file: File, onProgress: (sent: number, total: number) => void): Promise<string> {
  const bytes = await readBytes(file);
  let uploadId: string | undefined;
  let at = 0;
  do {
    const piece = bytes.subarray(at, at + PIECE_BYTES);
    at += piece.length;
    ({ uploadId } = await api.import.upload({ uploadId, name: file.name.replace(/[/\\]/g, '_') || 'export.json', chunk: toBase64(piece), last: at >= bytes.length }));
    onProgress(at, bytes.length);
  } while (at < bytes.length);
  return uploadId;
}
