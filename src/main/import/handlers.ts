/**
 * import.*: uploads (a browser cannot hand over a path), the dry run and the import job. An
 * upload lives in the data folder's imports/ until its import has ended, then it is removed.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfabError } from '@shared/errors';
import type { ImportPreview, ImportReport } from '@shared/types/import';
import type { DataService } from '../backup/service';
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';
import { isConfabExport, previewConfabExport, restoreAsImportReport } from './confab';
import { previewInWorker, type ImportParser } from './parser';
import { startImport } from './run';

interface Upload {
  dir: string;
  path: string;
  complete: boolean;
  preview: ImportPreview | null;
}

/** Finished imports whose reports are kept for import.result. */
const KEEP_RESULTS = 20;

export function importHandlers(
  db: DbClient,
  dataDir: string,
  data: DataService,
  parser: ImportParser,
): HandlerSlice<'import'> {
  const uploads = new Map<string, Upload>();
  const results = new Map<string, Promise<ImportReport>>();

  const upload = (uploadId: string, complete = true): Upload => {
    const found = uploads.get(uploadId);
    if (!found) throw new ConfabError('not_found', 'That upload is not here any more; choose the file again.');
    if (complete && !found.complete) throw new ConfabError('conflict', 'The file has not finished uploading.');
    return found;
  };

  const previewOf = async (u: Upload) =>
    (u.preview ??= (await isConfabExport(u.path))
      ? await previewConfabExport(u.path)
      : await previewInWorker(parser, [u.path]));

  return {
    'import.upload': async (i) => {
      let uploadId = i.uploadId;
      if (!uploadId) {
        uploadId = randomUUID();
        const dir = join(dataDir, 'imports', uploadId);
        await mkdir(dir, { recursive: true });
        uploads.set(uploadId, { dir, path: join(dir, i.name), complete: false, preview: null });
      }
      const u = upload(uploadId, false);
      if (u.complete) throw new ConfabError('conflict', 'That upload has already ended.');
      await appendFile(u.path, Buffer.from(i.chunk, 'base64'));
      if (i.last) u.complete = true;
      return { uploadId };
    },
    'import.preview': async (i) => previewOf(upload(i.uploadId)),
    'import.start': async (i) => {
      const u = upload(i.uploadId);
      const preview = await previewOf(u);
      if (preview.conversations === 0)
        throw new ConfabError('invalid_input', 'The file holds no conversation that can be imported.');
      // The undo of an import is the backup taken just before it.
      await data.backup('pre-import');
      let started: { jobId: string; result: Promise<ImportReport> };
      if (preview.source === 'confab') {
        const job = data.startRestore(u.path);
        started = { jobId: job.id, result: job.result.then(restoreAsImportReport) };
      } else started = startImport(db, [u.path], { source: preview.source, total: preview.conversations, parser });
      results.set(started.jobId, started.result);
      const cleanUp = () => {
        uploads.delete(i.uploadId);
        void rm(u.dir, { recursive: true, force: true });
      };
      started.result.then(cleanUp, cleanUp);
      while (results.size > KEEP_RESULTS) results.delete(results.keys().next().value!);
      return { jobId: started.jobId };
    },
    'import.result': async (i) => {
      const result = results.get(i.jobId);
      if (!result) throw new ConfabError('not_found', 'There is no import with that id.');
      return result;
    },
  };
}
