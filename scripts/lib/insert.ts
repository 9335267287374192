/**
 * Feeds corpus batches to an insert function (the DB worker's 'bulk.insertCorpus', or
 * insertCorpus over node-postgres) and measures only the time spent inside the inserts: rows are
 * generated between calls, so generation speed never counts as database speed.
 */
import type { CorpusBatch } from '../../src/main/db/maintenance/bulk';
import { fmtInt } from './cli';

export interface InsertStats {
  sessions: number;
  messages: number;
  runs: number;
  batches: number;
  /** Time inside insert calls. */
  insertMs: number;
  /** Including generating the rows. */
  wallMs: number;
  messagesPerSecond: number;
}

export async function insertBatches(
  batches: Iterable<Required<CorpusBatch>>,
  insert: (batch: Required<CorpusBatch>) => Promise<unknown>,
  progress?: (done: InsertStats, total: number) => void,
  total = 0,
): Promise<InsertStats> {
  const started = performance.now();
  const stats: InsertStats = { sessions: 0, messages: 0, runs: 0, batches: 0, insertMs: 0, wallMs: 0, messagesPerSecond: 0 };
  for (const batch of batches) {
    const t = performance.now();
    await insert(batch);
    stats.insertMs += performance.now() - t;
    stats.sessions += batch.sessions.length;
    stats.messages += batch.messages.length;
    stats.runs += batch.runs.length;
    stats.batches += 1;
    stats.wallMs = performance.now() - started;
    stats.messagesPerSecond = stats.messages / (stats.insertMs / 1000);
    progress?.(stats, total);
  }
  return stats;
}

/** A progress line: rewritten in place on a terminal, every tenth of the way otherwise. */
export function progressPrinter(label: string): (done: InsertStats, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    const line = `${label} ${fmtInt(done.messages)} / ${fmtInt(total)} messages, ${fmtInt(done.messagesPerSecond)} msg/s`;
    if (process.stdout.isTTY) {
      process.stdout.write(`\r${line}${done.messages >= total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((done.messages / Math.max(1, total)) * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      console.log(line);
    }
  };
}
