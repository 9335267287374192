/** jobs.*: long work in the DB worker, listed and cancelled by views. */
import type { HandlerSlice } from '../kit/handlers';
import type { JobTracker } from './tracker';

export function jobsHandlers(tracker: JobTracker): HandlerSlice<'jobs'> {
  return {
    'jobs.list': async () => tracker.list(),
    'jobs.cancel': async (i) => ({ cancelled: tracker.cancel(i.id) }),
  };
}
