/**
 * Main's view of the DB worker's jobs: their latest progress and how they ended, for jobs.list,
 * and the contract events job.progress / job.finished that views show as bars and results.
 */
import type { JobState } from '@shared/types';
import type { DbClient, JobEvent } from '../db/client';
import type { Emitter } from '../kit/handlers';

/** Ended jobs remembered for jobs.list, newest kept. */
const KEEP_FINISHED = 50;

export class JobTracker {
  private readonly jobs = new Map<string, JobState>();

  constructor(
    private readonly db: DbClient,
    private readonly events: Emitter,
  ) {
    db.onJob((event) => this.observe(event));
  }

  list(): JobState[] {
    return [...this.jobs.values()].reverse();
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.status !== 'running') return false;
    this.db.cancelJob(id);
    return true;
  }

  private observe(event: JobEvent): void {
    if (event.type === 'progress') {
      const { progress } = event;
      const known = this.jobs.get(progress.id);
      this.jobs.set(progress.id, {
        ...progress,
        status: 'running',
        startedAt: known?.startedAt ?? new Date().toISOString(),
        finishedAt: null,
        error: null,
      });
      this.events.emit('job.progress', progress);
      return;
    }
    const known = this.jobs.get(event.id);
    const error = event.status === 'failed' ? event.error.message : null;
    const now = new Date().toISOString();
    this.jobs.set(event.id, {
      id: event.id,
      kind: event.kind,
      done: known?.done ?? 0,
      total: known?.total ?? null,
      phase: known?.phase ?? '',
      status: event.status,
      startedAt: known?.startedAt ?? now,
      finishedAt: now,
      error,
    });
    this.events.emit('job.finished', { id: event.id, kind: event.kind, status: event.status, error });
    this.forgetOld();
  }

  private forgetOld(): void {
    const ended = [...this.jobs.values()].filter((j) => j.status !== 'running');
    for (const job of ended.slice(0, Math.max(0, ended.length - KEEP_FINISHED))) this.jobs.delete(job.id);
  }
}
