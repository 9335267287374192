/**
 * Measures that go through the app's own path: startCore (DB worker, crash recovery, handler
 * map) and DbClient calls, so the figures include the worker round trip the app pays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCore, type Core, type CorePaths } from '../../src/main/core/core';
import type { CorpusBatch } from '../../src/main/db/maintenance/bulk';
import { insertBatches, type InsertStats } from './insert';
import { eventLoopDelayDuring, sample, type LoopDelay } from './measure';
import type { BenchQuery } from './queries';
import { SEARCH_LIMIT } from './search-bench';
import { median, summarize, type Summary } from './stats';

export const SIDEBAR_PAGE = 100;
export const BRANCH_PAGE = 50;

export interface OpenTiming {
  samplesMs: number[];
  medianMs: number;
  usedTemplate: boolean;
  /** The worker's own time to open (inside the worker, before the first call). */
  workerOpenMs: number[];
}

async function openToSidebar(paths: CorePaths, dataDir: string): Promise<{ ms: number; core: Core }> {
  const started = performance.now();
  const core = await startCore({ dataDir, paths, host: 'web', version: 'bench' });
  await core.db.call('sessions.list', { view: 'active', limit: SIDEBAR_PAGE });
  return { ms: performance.now() - started, core };
}

/** Opens `dataDir` n times; the last core stays open for the caller. */
export async function coldOpen(paths: CorePaths, dataDir: string, n: number): Promise<{ timing: OpenTiming; core: Core }> {
  const samplesMs: number[] = [];
  const workerOpenMs: number[] = [];
  for (let i = 0; ; i++) {
    const { ms, core } = await openToSidebar(paths, dataDir);
    samplesMs.push(ms);
    workerOpenMs.push(core.db.info.openMs);
    if (i === n - 1) return { timing: { samplesMs, medianMs: median(samplesMs), usedTemplate: false, workerOpenMs }, core };
    await core.close();
  }
}

/** Fresh data dirs under `tmpBase`; the last one stays open for the caller (then deleted by it). */
export async function firstRun(paths: CorePaths, tmpBase: string, n: number): Promise<{ timing: OpenTiming; core: Core; dir: string }> {
  const samplesMs: number[] = [];
  const workerOpenMs: number[] = [];
  let usedTemplate = true;
  for (let i = 0; ; i++) {
    const dir = mkdtempSync(join(tmpBase, 'first-run-'));
    const { ms, core } = await openToSidebar(paths, dir);
    samplesMs.push(ms);
    workerOpenMs.push(core.db.info.openMs);
    usedTemplate &&= core.db.info.usedTemplate;
    if (i === n - 1) return { timing: { samplesMs, medianMs: median(samplesMs), usedTemplate, workerOpenMs }, core, dir };
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function firstBranchPage(core: Core, sessionId: string, runs: number, warmups: number): Promise<Summary> {
  const page = await core.db.call('messages.listBranch', { sessionId, limit: BRANCH_PAGE });
  if (page.items.length !== BRANCH_PAGE) throw new Error(`The big session's first page has ${page.items.length} messages, not ${BRANCH_PAGE}.`);
  return summarize(await sample(() => core.db.call('messages.listBranch', { sessionId, limit: BRANCH_PAGE }), runs, warmups));
}

export function searchThroughWorker(core: Core) {
  return (q: string) => core.db.call('search.query', { q, view: 'all', limit: SEARCH_LIMIT });
}

export async function searchBurstLoopDelay(core: Core, queries: readonly BenchQuery[], count: number): Promise<LoopDelay> {
  const search = searchThroughWorker(core);
  return eventLoopDelayDuring(async () => {
    for (let i = 0; i < count; i++) await search(queries[i % queries.length]!.q);
  });
}

/** Rows are generated before the clock starts: only the insert's effect on the loop is measured. */
export async function insertLoopDelay(core: Core, batches: Required<CorpusBatch>[]): Promise<LoopDelay & { insert: InsertStats }> {
  let insert: InsertStats | undefined;
  const delay = await eventLoopDelayDuring(async () => {
    insert = await insertBatches(batches, (b) => core.db.call('bulk.insertCorpus', b));
  });
  return { ...delay, insert: insert! };
}
