import { z } from 'zod';
import type { JobProgress, JobState, JobStatus } from '../types';
import { empty, id } from './fields';
import { event, method } from './spec';

export const jobsMethods = {
  /** Jobs running now and those that ended since the app started, newest first. */
  'jobs.list': method<JobState[]>()(empty),
  /** Asks a running job to stop at its next batch; what it committed stays (each batch is whole). */
  'jobs.cancel': method<{ cancelled: boolean }>()(z.object({ id }).strict()),
};

export const jobsEvents = {
  'job.progress': event<JobProgress>(),
  'job.finished': event<{ id: string; kind: string; status: Exclude<JobStatus, 'running'>; error: string | null }>(),
};
