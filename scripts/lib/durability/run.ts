/**
 * The bench's durability section: a base data dir (the seeded one, or a smaller one made here),
 * its clean reopen for comparison, then the crash trials (crash-bench.ts).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { CorePaths } from '../../../src/main/core/core';
import { openAppDb } from '../app-db';
import { fmtInt } from '../cli';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus } from '../corpus';
import { insertBatches } from '../insert';
import { coldOpen, type OpenTiming } from '../pglite-bench';
import { crashBench, type CrashBenchResults } from './crash-bench';

export interface DurabilityOptions {
  paths: CorePaths;
  tmpBase: string;
  /** A seeded, closed data dir to copy for each trial; without one a base is seeded here. */
  baseDir?: string;
  /** Messages in the base made here. */
  messages: number;
  seed: number;
  nowMs: number;
  trials: number;
  /** Bulk messages acknowledged before the kill (drawn per trial); default 2,000–6,000. */
  killAfterMessages?: { min: number; max: number };
}

export interface DurabilityResults {
  baseMessages: number | null;
  /** The same base opened after a clean close: what a reopen after a crash is compared with. */
  cleanReopen: OpenTiming;
  crash: CrashBenchResults;
}

/** `--crash-messages 2000-6000` (or one number): how many bulk messages before the kill. */
export function rangeOption(value: string | undefined, name: string): { min: number; max: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(?:-(\d+))?$/.exec(value.replace(/[_,]/g, ''));
  if (!match) throw new Error(`--${name} must be a number or a range such as 2000-6000 (got ${JSON.stringify(value)})`);
  const min = Number(match[1]);
  const max = Number(match[2] ?? match[1]);
  if (max < min) throw new Error(`--${name}: the range ends before it starts (${value})`);
  return { min, max };
}

async function seedBase(options: DurabilityOptions, log: (line: string) => void): Promise<string> {
  const dir = join(mkdtempSync(join(options.tmpBase, 'durability-base-')), 'data');
  const corpus = planCorpus(
    defaultCorpusOptions({
      seed: options.seed,
      messages: options.messages,
      sessions: Math.max(1, Math.floor(options.messages / 50)),
      bigSession: 1000,
      nowMs: options.nowMs,
    }),
  );
  const db = await openAppDb(options.paths, dir);
  try {
    const stats = await insertBatches(batchCorpus(generateSessions(corpus), 1000), (b) =>
      db.call('bulk.insertCorpus', b),
    );
    await db.call('maintenance.analyze', undefined);
    log(
      `  base: ${fmtInt(stats.messages)} messages in ${fmtInt(stats.sessions)} sessions (${(stats.insertMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    // A clean close: the base starts every trial with nothing to replay.
    await db.close();
  }
  return dir;
}

export async function durabilityBench(
  options: DurabilityOptions,
  log: (line: string) => void,
): Promise<DurabilityResults> {
  const baseDir = options.baseDir ?? (await seedBase(options, log));
  const clean = await coldOpen(options.paths, baseDir, 3);
  await clean.core.close();
  log(`  clean reopen of the base: ${clean.timing.samplesMs.map((ms) => Math.round(ms)).join(', ')} ms`);
  const crash = await crashBench(
    {
      paths: options.paths,
      baseDir,
      tmpBase: options.tmpBase,
      trials: options.trials,
      seed: options.seed,
      nowMs: options.nowMs,
      killAfterMessages: options.killAfterMessages ?? { min: 2000, max: 6000 },
      killDelayMs: { min: 0, max: 1500 },
    },
    log,
  );
  return { baseMessages: options.baseDir ? null : options.messages, cleanReopen: clean.timing, crash };
}
