/**
 * The page's image worker: turns a file's bytes (base64 pieces, as attachments.read gives them)
 * into a thumbnail or a data: URL, so that decoding, scaling and encoding never run on the page's
 * main thread (a 20 MB photo takes hundreds of milliseconds to decode and re-encode). A thumbnail
 * is the image scaled to fit `maxSide` pixels, as WebP: a few kilobytes instead of the file.
 */
import type { ImageJob, ImageJobAnswer } from './imageJobs';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ImageJob>) => void) | null;
  postMessage(message: ImageJobAnswer): void;
}

const scope = self as unknown as WorkerScope;

function bytesOf(parts: readonly string[]): Uint8Array<ArrayBuffer>[] {
  return parts.map((part) => {
    const binary = atob(part);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  });
}

function dataUrlOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('The image could not be read.'));
    reader.readAsDataURL(blob);
  });
}

async function thumbnail(file: Blob, maxSide: number): Promise<string> {
  const bitmap = await createImageBitmap(file);
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('No 2D canvas in this worker.');
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    return dataUrlOf(await canvas.convertToBlob({ type: 'image/webp', quality: 0.82 }));
  } finally {
    bitmap.close();
  }
}

scope.onmessage = (event) => {
  const job = event.data;
  void (async () => {
    try {
      const file = new Blob(bytesOf(job.parts), { type: job.mediaType });
      const url = job.kind === 'thumbnail' ? await thumbnail(file, job.maxSide) : await dataUrlOf(file);
      scope.postMessage({ id: job.id, url, madeIn: scope.constructor.name });
    } catch (err) {
      scope.postMessage({
        id: job.id,
        url: null,
        error: err instanceof Error ? err.message : String(err),
        madeIn: scope.constructor.name,
      });
    }
  })();
};
