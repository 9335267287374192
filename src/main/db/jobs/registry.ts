/**
 * Every kind of job the worker runs, by name: one line per kind. Main starts them by this name
 * (DbClient.startJob) and imports this module as types only.
 */
import { restoreJob } from '../backup/restore';
import { exportJob } from '../export/job';
import { importJob } from '../import/job';
import { blobGcJob } from '../attachments/garbage';
import { searchIndexJob } from '../search/indexer';
import { retentionJob } from '../usage/retention';

export const JOB_DEFINITIONS = {
  retention: retentionJob,
  import: importJob,
  'attachments.gc': blobGcJob,
  export: exportJob,
  restore: restoreJob,
  'search.index': searchIndexJob,
};

export type JobKind = keyof typeof JOB_DEFINITIONS;
export type JobInput<K extends JobKind> = Parameters<(typeof JOB_DEFINITIONS)[K]['run']>[1];
export type JobResult<K extends JobKind> = Awaited<ReturnType<(typeof JOB_DEFINITIONS)[K]['run']>>;
