/**
 * The page's side of the image worker (imageWorker.ts): one worker, started on first use, that
 * makes thumbnails and data: URLs from a file's base64 pieces. Where no worker can be started
 * (a test DOM) or it fails to load, jobs answer null and the caller falls back.
 */
export type ImageJob =
  | { id: number; kind: 'thumbnail'; mediaType: string; parts: string[]; maxSide: number }
  | { id: number; kind: 'dataUrl'; mediaType: string; parts: string[] };

export interface ImageJobAnswer {
  id: number;
  url: string | null;
  error?: string;
  /** The global scope the work ran in ("DedicatedWorkerGlobalScope"): what tests check. */
  madeIn: string;
}

type JobInput = ImageJob extends infer J ? (J extends ImageJob ? Omit<J, 'id'> : never) : never;

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
const pending = new Map<number, (answer: ImageJobAnswer | null) => void>();

function failAll(): void {
  broken = true;
  worker?.terminate();
  worker = null;
  for (const resolve of pending.values()) resolve(null);
  pending.clear();
}

function imageWorker(): Worker | null {
  if (broken || typeof Worker === 'undefined') return null;
  if (!worker) {
    try {
      worker = new Worker(new URL('./imageWorker.ts', import.meta.url), { type: 'module', name: 'confab-images' });
    } catch {
      broken = true;
      return null;
    }
    worker.onmessage = (event: MessageEvent<ImageJobAnswer>) => {
      const resolve = pending.get(event.data.id);
      pending.delete(event.data.id);
      resolve?.(event.data);
    };
    // A worker script that cannot load (a host that refuses workers): every job falls back.
    worker.onerror = () => failAll();
  }
  return worker;
}

/** Runs a job in the image worker; null when there is no worker (the caller falls back). */
export function runImageJob(job: JobInput): Promise<ImageJobAnswer | null> {
  const target = imageWorker();
  if (!target) return Promise.resolve(null);
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    target.postMessage({ ...job, id });
  });
}
