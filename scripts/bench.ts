/**
 * npm run bench -- [--messages 100000] [--sessions 2000] [--seed 1] [--batch 5000] [--quick]
 *                  [--data-dir D --no-seed] [--runs 20] [--no-native] [--no-browser] [--sidebar-sessions 10000]
 *                  [--keep] [--out bench/results.json] [--crash-trials 8] [--crash-messages 2000-6000]
 *                  [--no-crash] [--only durability|import] [--no-import] [--import-messages 100000]
 *                  [--parse-mb 500]
 *       npm run bench -- --sync-seeds N [--seed S]   (sync convergence with N runs; scripts/lib/sync-seeds.ts)
 *       npm run bench -- --sync [--messages 100000] [--batch 5000] [--pg-url postgres://…] [--poll-ms 1000] [--changes 20]
 *
 * Seeds a corpus in a temp data dir (or reuses a seeded one), measures the app's DB paths through
 * its own worker, runs the same rows and search SQL on native PostgreSQL, then prints a table
 * with the targets from the foundation issue and writes the figures as JSON. Then the UI figures:
 * Chromium against the web host on a copy of the seeded dir and on a many-sessions dir.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { builtPaths, type Core } from '../src/main/core/core';
import { hasSessions, openAppDb, templateDirIfBuilt } from './lib/app-db';
import { dateOption, fmtInt, fmtMs, intOption, resolveDataDir } from './lib/cli';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus, type CorpusOptions } from './lib/corpus';
import { insertBatches, progressPrinter } from './lib/insert';
import { machineInfo } from './lib/machine';
import { readManifest, writeManifest } from './lib/manifest';
import { loadNative, type NativeEngine } from './lib/native-bench';
import {
  coldOpen,
  firstBranchPage,
  firstRun,
  insertLoopDelay,
  searchBurstLoopDelay,
  searchThroughWorker,
} from './lib/pglite-bench';
import { QUERY_MIX } from './lib/queries';
import { browserBench } from './lib/browser-bench';
import { runShellBench } from './lib/shell-bench';
import { secondInstanceRefusal } from './lib/lock-bench';
import { buildRows, renderTable, writeResults, type BenchResults } from './lib/report';
import { timeQueries, type QueryTiming } from './lib/search-bench';
import { runSyncSeeds } from './lib/sync-seeds';
import { streamingLoopDelay, type StreamingLoopDelay } from './lib/stream-bench';
import { syncOnly } from './lib/syncBench';
import { runDurabilityChild } from './lib/durability/child';
import { durabilityOnly } from './lib/durability/only';
import { durabilityBench, rangeOption, type DurabilityResults } from './lib/durability/run';
import { importBench, type ImportBenchResults } from './lib/import-bench';
import { importMessagesOption, importOnly } from './lib/import-only';
import { openAppDatabase } from '../src/main/db/open';
import { sql } from '../src/main/db/sql';
import { extraRunBatches, extraRunCount } from './lib/usage-corpus';
import { dashboardThroughWorker, timeUsageQueries, usageBenchRange, type UsageTiming } from './lib/usage-bench';

const BURST = 30;
const OPENS = 3;
const EXTRA_INSERT = 10_000;

const { values } = parseArgs({
  options: {
    messages: { type: 'string' },
    sessions: { type: 'string' },
    seed: { type: 'string' },
    batch: { type: 'string' },
    'big-session': { type: 'string' },
    now: { type: 'string' },
    'data-dir': { type: 'string' },
    'no-seed': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    warmups: { type: 'string' },
    'no-native': { type: 'boolean', default: false },
    'no-browser': { type: 'boolean', default: false },
    'sidebar-sessions': { type: 'string' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
    'crash-trials': { type: 'string' },
    'crash-messages': { type: 'string' },
    'no-crash': { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-import': { type: 'boolean', default: false },
    'import-messages': { type: 'string' },
    'parse-mb': { type: 'string' },
    'durability-child': { type: 'string' },
    'sync-seeds': { type: 'string' },
    sync: { type: 'boolean', default: false },
    'pg-url': { type: 'string' },
    'poll-ms': { type: 'string' },
    changes: { type: 'string' },
  },
});

const step = (text: string) => console.log(`\n▶ ${text}`);

async function main() {
  if (values['durability-child']) return runDurabilityChild(values['durability-child']);
  const built = builtPaths(import.meta.dirname);
  const root = resolve(built.migrationsDir, '..');
  if (values['sync-seeds']) {
    const seed = values.seed === undefined ? undefined : intOption(values.seed, 'seed', 1);
    process.exitCode = runSyncSeeds(root, intOption(values['sync-seeds'], 'sync-seeds', 200), seed);
    return;
  }
  const quick = values.quick;
  const runs = intOption(values.runs, 'runs', quick ? 10 : 20);
  const warmups = intOption(values.warmups, 'warmups', 2);
  const batchSize = intOption(values.batch, 'batch', 5000);
  const tmpBase = mkdtempSync(join(tmpdir(), 'confab-bench-'));
  // Every database in the run is migrated from one copy of the migrations, so an edit to the
  // working tree during a long run cannot leave the seeded data dir unopenable.
  const paths = { ...built, migrationsDir: join(tmpBase, 'migrations') };
  cpSync(built.migrationsDir, paths.migrationsDir, { recursive: true });
  const machine = machineInfo(root);
  console.log(
    `Confab bench on ${machine.cpuModel} (${machine.cores} cores, ${machine.ramGiB} GiB), Node ${machine.node}, PGlite ${machine.pglite}, load average ${machine.loadAverageAtStart}`,
  );
  if (values.only === 'import') return importOnly(values, { paths, tmpBase, root, machine });
  if (values.only) return durabilityOnly(values, { paths, tmpBase, root, machine });
  if (values.sync) {
    await syncOnly(
      {
        migrationsDir: paths.migrationsDir,
        serverMigrationsDir: join(root, 'migrations-server'),
        tmpBase,
        messages: intOption(values.messages, 'messages', quick ? 20_000 : 100_000),
        perSession: 50,
        batch: batchSize,
        pgUrl: values['pg-url'] ?? process.env.TEST_DATABASE_URL,
        pollMs: intOption(values['poll-ms'], 'poll-ms', 1000),
        changes: intOption(values.changes, 'changes', 20),
        workerPath: paths.workerPath,
        templateDir: templateDirIfBuilt(paths),
        out: resolve(values.out ?? join(root, 'bench', 'results.json')),
      },
      machine,
    );
    if (!values.keep) rmSync(tmpBase, { recursive: true, force: true });
    return;
  }

  let dataDir: string;
  let corpus: CorpusOptions;
  let bigSessionId: string;
  let extraRuns = 0;
  if (values['no-seed']) {
    if (!values['data-dir'] && !process.env.CONFAB_DATA_DIR)
      throw new Error('--no-seed needs --data-dir (or CONFAB_DATA_DIR).');
    dataDir = resolveDataDir(values['data-dir']);
    const manifest = readManifest(dataDir);
    if (!manifest) throw new Error(`${dataDir} has no seed-manifest.json; seed it with npm run seed first.`);
    ({ corpus, bigSessionId } = manifest);
    extraRuns = manifest.extraRuns ?? 0;
  } else {
    dataDir = values['data-dir'] ? resolveDataDir(values['data-dir']) : join(tmpBase, 'data');
    corpus = defaultCorpusOptions({
      seed: intOption(values.seed, 'seed', 1),
      messages: intOption(values.messages, 'messages', quick ? 20_000 : 100_000),
      sessions: intOption(values.sessions, 'sessions', quick ? 400 : 2000),
      bigSession: intOption(values['big-session'], 'big-session', 10_000),
      nowMs: dateOption(values.now, 'now'),
    });
    bigSessionId = planCorpus(corpus).bigSessionId;
  }

  step(
    `First run to a ready DB, ${OPENS} fresh data dirs; then event-loop delay during a ${fmtInt(EXTRA_INSERT)}-message insert`,
  );
  const first = await firstRun(paths, tmpBase, OPENS);
  console.log(
    `  ${first.timing.samplesMs.map(fmtMs).join(', ')} ms (${first.timing.usedTemplate ? 'from template' : 'initdb'})`,
  );
  const extra = planCorpus(
    defaultCorpusOptions({
      seed: corpus.seed + 7919,
      sessions: 200,
      messages: EXTRA_INSERT,
      bigSession: 50,
      nowMs: corpus.nowMs,
      specials: false,
    }),
  );
  const extraBatches = [...batchCorpus(generateSessions(extra), batchSize)];
  const bulkInsert = await insertLoopDelay(first.core, extraBatches);
  console.log(
    `  p99 ${fmtMs(bulkInsert.p99Ms)} ms, max ${fmtMs(bulkInsert.maxMs)} ms, ${fmtInt(bulkInsert.insert.messagesPerSecond)} msg/s`,
  );
  step(`A second Confab (the built web host) started on that open data dir, ${OPENS} times: spawn to refusal`);
  const secondInstance = await secondInstanceRefusal(paths, first.dir, OPENS);
  console.log(`  ${secondInstance.samplesMs.map(fmtMs).join(', ')} ms`);
  await first.core.close();
  rmSync(first.dir, { recursive: true, force: true });

  let seed: BenchResults['seed'] = null;
  if (!values['no-seed']) {
    step(`Seeding ${fmtInt(corpus.messages)} messages in ${fmtInt(corpus.sessions)} sessions into ${dataDir}`);
    const db = await openAppDb(paths, dataDir);
    try {
      if (await hasSessions(db)) throw new Error(`${dataDir} already has chats; pass --no-seed to bench it as it is.`);
      const stats = await insertBatches(
        batchCorpus(generateSessions(planCorpus(corpus)), batchSize),
        (b) => db.call('bulk.insertCorpus', b),
        progressPrinter('  inserted'),
        corpus.messages,
      );
      // More runs, to the 100k for the usage dashboard (one run per message).
      extraRuns = extraRunCount(planCorpus(corpus), stats.runs);
      const extraStarted = performance.now();
      for (const batch of extraRunBatches(planCorpus(corpus), extraRuns, batchSize))
        await db.call('bulk.insertCorpus', batch);
      const extraRunsMs = performance.now() - extraStarted;
      const analyzeStarted = performance.now();
      await db.call('maintenance.analyze', undefined);
      seed = { ...stats, analyzeMs: performance.now() - analyzeStarted, extraRuns, extraRunsMs };
      writeManifest(dataDir, { corpus, bigSessionId, batchSize, seededAt: new Date().toISOString(), extraRuns });
      console.log(
        `  ${fmtInt(stats.messagesPerSecond)} msg/s over ${(stats.insertMs / 1000).toFixed(1)} s; search indexing and ANALYZE ${fmtMs(seed.analyzeMs)} ms`,
      );
      console.log(
        `  + ${fmtInt(extraRuns)} more runs in ${(extraRunsMs / 1000).toFixed(1)} s (${fmtInt(stats.runs + extraRuns)} runs)`,
      );
    } finally {
      await db.close();
    }
  }

  let native: NativeEngine | null = null;
  let nativeError: string | undefined;
  if (!values['no-native']) {
    step('Native PostgreSQL: a fresh database with the same rows');
    try {
      native = await loadNative(planCorpus(corpus), batchSize, paths.migrationsDir, extraRuns);
      const { load } = native;
      console.log(
        `  ${load.serverVersion} (${load.source}); ${fmtInt(load.insert.messagesPerSecond)} msg/s; ANALYZE ${fmtMs(load.analyzeMs)} ms`,
      );
    } catch (err) {
      nativeError = err instanceof Error ? err.message : String(err);
      console.error(`  native PostgreSQL unavailable: ${nativeError}`);
    }
  }

  let coldTiming: BenchResults['coldOpen'];
  let core: Core | undefined;
  let firstPage: BenchResults['firstPage'];
  let search: BenchResults['search'];
  let nativeSearch: QueryTiming[] | null;
  let searchBurst: BenchResults['loop']['searchBurst'];
  let streaming: StreamingLoopDelay;
  let usage: BenchResults['usage'];
  try {
    step(`Cold open of the seeded data dir to the first session list, ${OPENS} times`);
    const cold = await coldOpen(paths, dataDir, OPENS);
    ({ core, timing: coldTiming } = cold);
    console.log(
      `  ${coldTiming.samplesMs.map(fmtMs).join(', ')} ms (worker open ${coldTiming.workerOpenMs.map(fmtMs).join(', ')} ms)`,
    );

    step(`First page of the ${fmtInt(corpus.bigSession)}-message session`);
    firstPage = await firstBranchPage(core, bigSessionId, runs + 10, 3);
    console.log(`  p50 ${fmtMs(firstPage.p50)} ms, p95 ${fmtMs(firstPage.p95)} ms`);

    step(
      `Search: ${QUERY_MIX.length} queries × ${runs} runs after ${warmups} warm-ups${native ? ', alternating PGlite (worker) and native' : ''}`,
    );
    const engines = native ? [searchThroughWorker(core), native.search] : [searchThroughWorker(core)];
    const timings = await timeQueries(engines, QUERY_MIX, runs, warmups);
    search = timings[0]!;
    nativeSearch = timings[1] ?? null;
    for (const [i, t] of search.entries()) {
      const n = nativeSearch?.[i];
      const hitNote = n && n.messageHits !== t.messageHits ? ` (native found ${n.messageHits})` : '';
      console.log(
        `  ${t.cls.padEnd(12)} ${JSON.stringify(t.q).padEnd(20)} p50 ${fmtMs(t.summary.p50)} ms, p95 ${fmtMs(t.summary.p95)} ms, ${t.messageHits} hits${hitNote}` +
          (n ? `; native p50 ${fmtMs(n.summary.p50)} ms, p95 ${fmtMs(n.summary.p95)} ms` : ''),
      );
    }

    step(`Event-loop delay during ${BURST} back-to-back searches`);
    searchBurst = await searchBurstLoopDelay(core, QUERY_MIX, BURST);
    console.log(
      `  p99 ${fmtMs(searchBurst.p99Ms)} ms, max ${fmtMs(searchBurst.maxMs)} ms over ${fmtMs(searchBurst.durationMs)} ms`,
    );

    step('Event-loop delay while a reply streams at ~1,000 deltas/s and searches run back to back');
    streaming = await streamingLoopDelay(core, QUERY_MIX);
    console.log(
      `  p99 ${fmtMs(streaming.p99Ms)} ms, max ${fmtMs(streaming.maxMs)} ms; ${fmtInt(streaming.deltas)} deltas at ${fmtInt(streaming.deltasPerSecond)}/s, ${streaming.searches} searches, reply ${streaming.status}`,
    );

    const range = usageBenchRange(corpus.nowMs, bigSessionId);
    step(
      `Usage dashboard, ${range.fromDay} to ${range.toDay} in ${range.timeZone}: usage.dashboard through the worker`,
    );
    const viaWorker = await dashboardThroughWorker(core, range, runs, warmups);
    console.log(`  p50 ${fmtMs(viaWorker.p50)} ms, p95 ${fmtMs(viaWorker.p95)} ms`);
    // The queries one by one in the data layer: PGlite opened here, the worker closed first
    // (one writer per data dir).
    await core.close();
    core = undefined;
    const opened = await openAppDatabase({ dataDir, migrationsDir: paths.migrationsDir });
    try {
      const pgliteCtx = { db: opened.db, ownerId: opened.ownerId };
      const runCount =
        (await opened.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM generation_runs`))[0]?.n ?? 0;
      step(
        `Usage queries in the data layer over ${fmtInt(runCount)} runs, ${runs} runs each${native ? ', alternating PGlite and native' : ''}`,
      );
      const timings = await timeUsageQueries(native ? [pgliteCtx, native.ctx] : [pgliteCtx], range, runs, warmups);
      const pgliteUsage: UsageTiming[] = timings[0]!;
      const nativeUsage: UsageTiming[] | null = timings[1] ?? null;
      for (const [i, u] of pgliteUsage.entries()) {
        const n = nativeUsage?.[i];
        console.log(
          `  ${u.name.padEnd(32)} p50 ${fmtMs(u.summary.p50)} ms, p95 ${fmtMs(u.summary.p95)} ms` +
            (n ? `; native p50 ${fmtMs(n.summary.p50)} ms, p95 ${fmtMs(n.summary.p95)} ms` : ''),
        );
      }
      usage = { runs: runCount, range, viaWorker, pglite: pgliteUsage, native: nativeUsage };
    } finally {
      await opened.close();
    }
  } finally {
    await core?.close();
    await native?.close();
  }

  let browser: BenchResults['browser'] = null;
  if (!values['no-browser']) {
    const sidebarSessions = intOption(values['sidebar-sessions'], 'sidebar-sessions', quick ? 2000 : 10_000);
    step(
      `Browser: Chromium against the web host (sidebar with ${fmtInt(sidebarSessions)} sessions, the ${fmtInt(corpus.bigSession)}-message session, Cmd+K)`,
    );
    browser = await browserBench(
      {
        paths,
        dataDir,
        bigSessionId,
        tmpBase,
        runs: quick ? 5 : runs,
        sidebarSessions,
        seed: corpus.seed,
        nowMs: corpus.nowMs,
      },
      (line) => console.log(line),
    );
    if (browser) {
      console.log(
        `  open big session p95 ${fmtMs(browser.openBigSession.p95)} ms; max ${browser.maxMessageRows} message rows; sidebar p95 ${fmtMs(browser.sidebar.fromAppStart.p95)} ms after first render (${fmtMs(browser.sidebar.fromNavigation.p95)} ms from navigation); ` +
          (browser.palette
            ? `Cmd+K p95 ${fmtMs(browser.palette.p95)} ms`
            : `Cmd+K not measured: ${browser.paletteError}`),
      );
    }
  }

  let durability: DurabilityResults | null = null;
  if (!values['no-crash']) {
    step(`Durability: SIGKILL while a reply streams and bulk writes run, then reopen (copies of the seeded dir)`);
    durability = await durabilityBench(
      {
        paths,
        tmpBase,
        baseDir: dataDir,
        messages: corpus.messages,
        seed: corpus.seed,
        nowMs: corpus.nowMs,
        trials: intOption(values['crash-trials'], 'crash-trials', quick ? 5 : 8),
        killAfterMessages: rangeOption(values['crash-messages'], 'crash-messages'),
      },
      (line) => console.log(line),
    );
  }
  let importResults: ImportBenchResults | null = null;
  if (!values['no-import']) {
    const importMessages = importMessagesOption(values);
    step(
      `Import: ${fmtInt(importMessages)} messages as a ChatGPT export (parse worker → import job), against native PostgreSQL on the same rows`,
    );
    importResults = await importBench(
      {
        paths,
        tmpBase,
        seed: corpus.seed,
        messages: importMessages,
        nowMs: corpus.nowMs,
        native: !values['no-native'],
        parseMb: intOption(values['parse-mb'], 'parse-mb', 0),
      },
      (line) => console.log(line),
    );
  }
  if (!values['no-browser']) await runShellBench({ paths, dataDir, tmpBase, runs: quick ? 3 : runs }, root);

  const results: BenchResults = {
    machine,
    options: {
      ...corpus,
      batchSize,
      runs,
      warmups,
      quick,
      burst: BURST,
      seeded: !values['no-seed'],
      dataDir: values['no-seed'] ? dataDir : 'temp',
    },
    firstRun: first.timing,
    secondInstance,
    coldOpen: coldTiming,
    seed,
    firstPage,
    search,
    loop: { searchBurst, bulkInsert, streaming },
    usage,
    native: native && nativeSearch ? { ...native.load, search: nativeSearch } : null,
    nativeError,
    browser,
    durability,
    import: importResults,
  };
  results.machine.loadAverageAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const rows = buildRows(results);
  const out = resolve(values.out ?? join(root, 'bench', 'results.json'));
  writeResults(out, results, rows);
  console.log(`\n${renderTable(rows)}\n\nWrote ${out}`);
  const busiest = Math.max(machine.loadAverageAtStart, machine.loadAverageAtEnd ?? 0);
  if (busiest > machine.cores) {
    console.log(
      `Note: the machine was busy (load average up to ${busiest} on ${machine.cores} cores); timings are inflated.`,
    );
  }
  if (!values.keep) rmSync(tmpBase, { recursive: true, force: true });
  else console.log(`Kept ${tmpBase}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
