/**
 * npm run seed -- [--sessions 2000] [--messages 100000] [--seed 1] [--data-dir D] [--batch 5000]
 *                 [--big-session 10000] [--now 2026-11-20] [--reset]
 *
 * Fills a Confab data dir with a realistic synthetic corpus through the app's own DB worker
 * ('bulk.insertCorpus'), then refreshes planner statistics. The same --seed gives the same rows.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { builtPaths } from '../src/main/core/core';
import { fmtInt, dateOption, intOption, resolveDataDir } from './lib/cli';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus } from './lib/corpus';
import { hasSessions, openAppDb } from './lib/app-db';
import { insertBatches, progressPrinter } from './lib/insert';
import { writeManifest } from './lib/manifest';
import { extraRunBatches, extraRunCount } from './lib/usage-corpus';

const DEFAULT_BATCH = 5000;

async function main() {
  const { values } = parseArgs({
    options: {
      sessions: { type: 'string' },
      messages: { type: 'string' },
      seed: { type: 'string' },
      'big-session': { type: 'string' },
      batch: { type: 'string' },
      'data-dir': { type: 'string' },
      now: { type: 'string' },
      reset: { type: 'boolean', default: false },
    },
  });
  const corpus = defaultCorpusOptions({
    seed: intOption(values.seed, 'seed', 1),
    sessions: intOption(values.sessions, 'sessions', 2000),
    messages: intOption(values.messages, 'messages', 100_000),
    bigSession: intOption(values['big-session'], 'big-session', 10_000),
    nowMs: dateOption(values.now, 'now'),
  });
  const batchSize = intOption(values.batch, 'batch', DEFAULT_BATCH);
  const dataDir = resolveDataDir(values['data-dir']);
  if (values.reset) rmSync(dataDir, { recursive: true, force: true });

  const paths = builtPaths(import.meta.dirname);
  const opened = performance.now();
  const db = await openAppDb(paths, dataDir);
  try {
    console.log(
      `Data dir ${dataDir} (${db.info.firstRun ? (db.info.usedTemplate ? 'new, from template' : 'new, initdb') : 'existing'}, ` +
        `open ${fmtInt(performance.now() - opened)} ms)`,
    );
    if (await hasSessions(db)) {
      throw new Error(`${dataDir} already has chats; seed an empty data dir, or pass --reset to wipe this one.`);
    }
    const plan = planCorpus(corpus);
    console.log(
      `Seeding ${fmtInt(corpus.sessions)} sessions, ${fmtInt(corpus.messages)} messages (one of ${fmtInt(corpus.bigSession)}), ` +
        `seed ${corpus.seed}, batches of ${fmtInt(batchSize)}+ messages`,
    );
    const stats = await insertBatches(
      batchCorpus(generateSessions(plan), batchSize),
      (batch) => db.call('bulk.insertCorpus', batch),
      progressPrinter('  inserted'),
      corpus.messages,
    );
    // Runs beyond the chats' own, up to one per message, for the usage dashboard.
    const extraRuns = extraRunCount(plan, stats.runs);
    for (const batch of extraRunBatches(plan, extraRuns, batchSize)) await db.call('bulk.insertCorpus', batch);
    const analyzeStarted = performance.now();
    await db.call('maintenance.analyze', undefined);
    const analyzeMs = performance.now() - analyzeStarted;
    writeManifest(dataDir, { corpus, bigSessionId: plan.bigSessionId, batchSize, seededAt: new Date().toISOString(), extraRuns });
    console.log(
      `Inserted ${fmtInt(stats.sessions)} sessions, ${fmtInt(stats.messages)} messages, ${fmtInt(stats.runs)} runs ` +
        `(+${fmtInt(extraRuns)} more runs) in ` +
        `${(stats.insertMs / 1000).toFixed(1)} s of inserts (${(stats.wallMs / 1000).toFixed(1)} s with generation): ` +
        `${fmtInt(stats.messagesPerSecond)} messages/s. ANALYZE ${(analyzeMs / 1000).toFixed(1)} s.`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
