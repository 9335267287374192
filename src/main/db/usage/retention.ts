/**
 * The retention job: prunes app logs and old run details and archives inactive chats, as the
 * user's usage settings say. It runs in the DB worker at startup and then daily. Every batch is
 * its own short transaction scheduled through the worker's call queue, and the job yields to the
 * event loop between batches, so calls from the app wait for at most one batch, never the job.
 */
import type { RepoContext } from '../context';
import {
  archiveInactiveSessions,
  clearOldRunDetails,
  deleteOldLogs,
  deleteOldToolExecutions,
} from './retentionQueries';
import { writeAppLog } from '../logs/repository';
import { defineJob } from '../jobs/job';
import { getUsageSettings } from './settings';
import { scheduleRepeating } from '@shared/schedule';

export const DAY_MS = 86_400_000;
export const RETENTION_BATCH = 1000;

export interface RetentionReport {
  logsDeleted: number;
  toolExecutionsDeleted: number;
  runDetailsCleared: number;
  archivedSessionIds: string[];
  batches: number;
}

export interface RetentionOptions {
  now?: number;
  batchSize?: number;
  /** Runs one batch exclusively (the worker's queue); default: directly. */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Rows handled so far, and what is being done. */
  onProgress?: (done: number, phase: string) => void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runRetention(ctx: RepoContext, options: RetentionOptions = {}): Promise<RetentionReport> {
  const exclusive = options.exclusive ?? (<T>(fn: () => Promise<T>) => fn());
  const batchSize = options.batchSize ?? RETENTION_BATCH;
  const now = options.now ?? Date.now();
  const cutoff = (days: number) => new Date(now - days * DAY_MS).toISOString();
  const report: RetentionReport = {
    logsDeleted: 0,
    toolExecutionsDeleted: 0,
    runDetailsCleared: 0,
    archivedSessionIds: [],
    batches: 0,
  };

  let handled = 0;
  /** Repeats a batch until one comes back short. */
  const drain = async <T>(
    phase: string,
    batch: () => Promise<T>,
    count: (result: T) => number,
    collect: (result: T) => void,
  ) => {
    options.onProgress?.(handled, phase);
    for (;;) {
      const result = await exclusive(batch);
      report.batches++;
      collect(result);
      handled += count(result);
      options.onProgress?.(handled, phase);
      if (count(result) < batchSize) return;
      await yieldToEventLoop();
    }
  };
  const drainCount = (phase: string, batch: () => Promise<number>, add: (n: number) => void) =>
    drain(phase, batch, (n) => n, add);

  const settings = await exclusive(() => getUsageSettings(ctx));
  const logsBefore = cutoff(settings.logRetentionDays);
  await drainCount(
    'Deleting old app logs',
    () => deleteOldLogs(ctx, logsBefore, batchSize),
    (n) => (report.logsDeleted += n),
  );
  if (settings.runDetailRetentionDays !== null) {
    const before = cutoff(settings.runDetailRetentionDays);
    await drainCount(
      'Deleting old tool details',
      () => deleteOldToolExecutions(ctx, before, batchSize),
      (n) => (report.toolExecutionsDeleted += n),
    );
    await drainCount(
      'Clearing old run details',
      () => clearOldRunDetails(ctx, before, batchSize),
      (n) => (report.runDetailsCleared += n),
    );
  }
  if (settings.autoArchiveDays !== null) {
    const before = cutoff(settings.autoArchiveDays);
    await drain(
      'Archiving idle chats',
      () => archiveInactiveSessions(ctx, before, batchSize),
      (ids) => ids.length,
      (ids) => report.archivedSessionIds.push(...ids),
    );
  }

  const removed =
    report.logsDeleted + report.toolExecutionsDeleted + report.runDetailsCleared + report.archivedSessionIds.length;
  if (removed > 0) {
    await exclusive(() =>
      writeAppLog(ctx, {
        level: 'info',
        source: 'retention',
        message: 'Retention cleanup',
        // The job's own clock, so that the line it writes is never older than its cutoffs.
        at: new Date(now).toISOString(),
        details: {
          logsDeleted: report.logsDeleted,
          toolExecutionsDeleted: report.toolExecutionsDeleted,
          runDetailsCleared: report.runDetailsCleared,
          sessionsArchived: report.archivedSessionIds.length,
          settings,
        },
      }),
    );
  }
  return report;
}

/** Retention as a job: its batches go through the worker's queue and its changes are 'system'. */
export const retentionJob = defineJob<{ now?: number; batchSize?: number }, RetentionReport>({
  kind: 'retention',
  source: 'system',
  run: (job, input) =>
    runRetention(job.ctx, {
      ...input,
      exclusive: (fn) => job.batch(() => fn()),
      onProgress: (done, phase) => job.progress(done, null, phase),
    }),
});

export interface RetentionSchedule {
  stop(): void;
}

export interface ScheduleOptions {
  /** Delay of the startup run, so it does not compete with the first screen's reads. */
  firstDelayMs: number;
  intervalMs: number;
}

/** Runs the retention job at start-up (after a delay) and then on its interval. */
export function scheduleRetention(job: () => Promise<unknown>, options: ScheduleOptions): RetentionSchedule {
  const stop = scheduleRepeating(job, {
    ...options,
    onError: (err: unknown) => console.error('[retention] cleanup failed', err),
  });
  return { stop };
}
