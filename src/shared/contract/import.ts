import { z } from 'zod';
import type { ImportPreview, ImportReport } from '../types/import';
import { id } from './fields';
import { method } from './spec';

/** Text of a file sent in pieces: one WebSocket frame holds well over this. */
export const IMPORT_CHUNK_MAX_CHARS = 4_000_000;

const fileName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((n) => !/[/\\\u0000]/.test(n), 'must be a file name, not a path');

export const importMethods = {
  /**
   * Sends a file to import, in pieces (a browser has no file paths to give): the first call
   * without `uploadId` starts an upload; `last` ends it. The file is kept in the data folder
   * until it is imported.
   */
  'import.upload': method<{ uploadId: string }>()(
    z
      .object({
        uploadId: id.optional(),
        name: fileName,
        /** base64 of the bytes (a zip is binary). */
        chunk: z.string().max(IMPORT_CHUNK_MAX_CHARS),
        last: z.boolean(),
      })
      .strict(),
  ),
  /** The dry run: what the uploaded file holds, nothing written. */
  'import.preview': method<ImportPreview>()(z.object({ uploadId: id }).strict()),
  /** Starts the import job (progress as job.progress events, cancel with jobs.cancel). */
  'import.start': method<{ jobId: string }>()(z.object({ uploadId: id }).strict()),
  /** The import's report once it has ended; refused with the job's sentence when it failed. */
  'import.result': method<ImportReport>()(z.object({ jobId: z.string().min(1).max(100) }).strict()),
};

export const importEvents = {};
