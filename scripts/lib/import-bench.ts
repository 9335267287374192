/**
 * The import bench (issue 12, item 6): the seed's corpus written as a ChatGPT export, imported
 * through the app's own path (parse worker → DB worker job, checks included) into a fresh data
 * dir, against native PostgreSQL loading the same rows (the importer's rows, parsed from the same
 * file) with plain multi-row INSERTs into a database migrated with the same migrations. While the
 * import runs: this (main) thread's event-loop delay and the process's RSS, sampled.
 *
 * With `parseMb`, also a dry run of a file of about that size (parse only, in the worker): the
 * main thread's delay and the RSS while a file far larger than the parser's heap is read.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { CorePaths } from '../../src/main/core/core';
import { pgDb, type Db } from '../../src/main/db/database';
import { importedSessionId } from '../../src/main/db/import/ids';
import { messageRows, SOURCE_TAGS } from '../../src/main/db/import/writer';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import { toDbJson } from '../../src/main/db/rows';
import { sql } from '../../src/main/db/sql';
import { ensureLocalUser } from '../../src/main/db/users/repository';
import { parseExport } from '../../src/main/import/parse';
import { importWorkerBeside, previewInWorker } from '../../src/main/import/parser';
import { startImport } from '../../src/main/import/run';
import type { ConversationBundle } from '../../src/shared/types/import';
import { openAppDb } from './app-db';
import { writeChatGptExport, type WrittenExport } from './chatgpt-export';
import { defaultCorpusOptions, planCorpus } from './corpus';
import { eventLoopDelayDuring, type LoopDelay } from './measure';
import { openNativeDatabase } from './postgres';

export interface ImportRun {
  seconds: number;
  messagesPerSecond: number;
  loop: LoopDelay;
  rssPeakMb: number;
  rssBeforeMb: number;
}

export interface ImportBenchResults {
  file: Omit<WrittenExport, 'path'>;
  pglite: ImportRun & {
    messagesWritten: number;
    secondImportSeconds: number;
    secondImportAdded: number;
    /**
     * The import stores messages unindexed for search (confab.defer_search); the search.index
     * job that follows it fills them. Seconds from the import's end until that job ended.
     */
    indexCatchUp: { seconds: number; indexed: number } | null;
  };
  native: { serverVersion: string; source: string; method: string; seconds: number; messagesPerSecond: number } | null;
  nativeError?: string;
  parse500: (ImportRun & { fileMb: number; messages: number }) | null;
  /** The same thread idle for a few seconds just before: what the machine's load alone costs. */
  idleLoop: LoopDelay;
}

export const IMPORT_TARGETS = { vsNative: 1, loopP99Ms: 20 };

/** Native's batches: whole conversations, at least this many messages per INSERT. */
const NATIVE_BATCH = 5000;

const IDLE_MS = 3000;

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** Peak RSS of this process (main, DB worker and parse worker share it) while `work` runs. */
async function withRss<T>(work: () => Promise<T>): Promise<{ value: T; rssPeakMb: number; rssBeforeMb: number }> {
  const rssBeforeMb = mb(process.memoryUsage.rss());
  let peak = rssBeforeMb;
  const timer = setInterval(() => (peak = Math.max(peak, mb(process.memoryUsage.rss()))), 50);
  try {
    const value = await work();
    return { value, rssPeakMb: Math.max(peak, mb(process.memoryUsage.rss())), rssBeforeMb };
  } finally {
    clearInterval(timer);
  }
}

async function timedRun<T>(work: () => Promise<T>, messages: number): Promise<{ value: T; run: ImportRun }> {
  let value!: T;
  const rss = await withRss(async () => {
    const loop = await eventLoopDelayDuring(async () => (value = await work()));
    return loop;
  });
  const seconds = rss.value.durationMs / 1000;
  return {
    value,
    run: {
      seconds,
      messagesPerSecond: messages / seconds,
      loop: rss.value,
      rssPeakMb: rss.rssPeakMb,
      rssBeforeMb: rss.rssBeforeMb,
    },
  };
}

export function writeBenchExport(dir: string, seed: number, messages: number, nowMs?: number): WrittenExport {
  const corpus = defaultCorpusOptions({
    seed,
    messages,
    sessions: Math.max(1, Math.round(messages / 50)),
    bigSession: Math.min(10_000, Math.floor(messages / 10)),
    nowMs,
  });
  return writeChatGptExport(planCorpus(corpus), join(dir, `conversations-${messages}.json`));
}

/** The importer's rows into native PostgreSQL: parsed from the same file, INSERTed in batches. */
async function nativeLoad(file: string, migrationsDir: string): Promise<NonNullable<ImportBenchResults['native']>> {
  const database = await openNativeDatabase();
  const client = new pg.Client({ connectionString: database.url });
  try {
    await client.connect();
    const db = pgDb(client);
    await migrate(db, loadMigrations(migrationsDir));
    const ownerId = await ensureLocalUser(db);
    const version = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? 'unknown';
    let insertMs = 0;
    let messages = 0;
    let batch: ConversationBundle[] = [];
    let batchMessages = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const started = performance.now();
      await insertPlain(db, ownerId, batch);
      insertMs += performance.now() - started;
      messages += batchMessages;
      batch = [];
      batchMessages = 0;
    };
    for await (const event of parseExport([file])) {
      if (event.type !== 'conversation') continue;
      batch.push(event.bundle);
      batchMessages += event.bundle.messages.length;
      if (batchMessages >= NATIVE_BATCH) await flush();
    }
    await flush();
    const seconds = insertMs / 1000;
    return {
      serverVersion: version.split(' on ')[0] ?? version,
      source: database.source,
      method: `multi-row INSERT, ${NATIVE_BATCH}+ messages a transaction`,
      seconds,
      messagesPerSecond: messages / seconds,
    };
  } finally {
    await client.end().catch(() => undefined);
    await database.close();
  }
}

/** One transaction per batch, one INSERT per table: no checks, no per-conversation anything. */
async function insertPlain(db: Db, ownerId: string, bundles: ConversationBundle[]): Promise<void> {
  const sessions = bundles.map((b) => ({
    id: importedSessionId(b.source, b.sourceId),
    title: b.title.slice(0, 500),
    tags: [SOURCE_TAGS[b.source]],
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  }));
  const rows = bundles.flatMap((b) => messageRows(b, importedSessionId(b.source, b.sourceId)));
  await db.transaction(async (tx) => {
    await tx.query(sql`
      INSERT INTO chat_sessions (id, owner_id, title, tags, created_at, updated_at, last_activity_at)
      SELECT r.id, ${ownerId}, r.title, r.tags, r.created_at, r.updated_at, r.updated_at
        FROM jsonb_to_recordset(${toDbJson(sessions)}::jsonb) AS r(id uuid, title text, tags text[], created_at timestamptz, updated_at timestamptz)`);
    await tx.query(sql`
      INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content, reasoning, status, model,
                            tool_calls, metadata, created_at, updated_at)
      SELECT r.id, ${ownerId}, r.session_id, r.parent_id, r.depth, r.role, r.content, r.reasoning, r.status, r.model,
             r.tool_calls, r.metadata, r.created_at, r.created_at
        FROM jsonb_to_recordset(${toDbJson(rows)}::jsonb) AS r(
               id uuid, session_id uuid, parent_id uuid, depth integer, role text, content text, reasoning text,
               status text, model text, tool_calls jsonb, metadata jsonb, created_at timestamptz)`);
  });
}

export interface ImportBenchOptions {
  paths: CorePaths;
  tmpBase: string;
  seed: number;
  messages: number;
  nowMs?: number;
  native: boolean;
  /** Size of the parse-only file in MB; 0: not measured. */
  parseMb: number;
}

export async function importBench(
  options: ImportBenchOptions,
  log: (line: string) => void,
): Promise<ImportBenchResults> {
  const dir = mkdtempSync(join(options.tmpBase, 'import-'));
  try {
    const file = writeBenchExport(dir, options.seed, options.messages, options.nowMs);
    log(
      `  ${file.conversations} conversations, ${file.messages} messages, ${mb(file.bytes)} MB (ChatGPT conversations.json from the seed's generator)`,
    );
    const parser = { workerPath: importWorkerBeside(options.paths.workerPath) };
    const idleLoop = await eventLoopDelayDuring(() => new Promise((resolve) => setTimeout(resolve, IDLE_MS)));
    log(
      `  this thread idle for ${IDLE_MS / 1000} s: event-loop p99 ${idleLoop.p99Ms.toFixed(1)} ms, max ${idleLoop.maxMs.toFixed(1)} ms (the machine's load alone)`,
    );

    const dataDir = join(dir, 'data');
    const db = await openAppDb(options.paths, dataDir);
    let pglite: ImportBenchResults['pglite'];
    // The worker starts the search indexer itself once an import ends: watched here by its events.
    let indexDone: (value: { indexed: number } | null) => void = () => undefined;
    const indexed = new Promise<{ indexed: number } | null>((resolve) => (indexDone = resolve));
    const unwatch = db.onJob((event) => {
      if (event.type !== 'done' || event.kind !== 'search.index') return;
      indexDone(event.status === 'succeeded' ? (event.value as { indexed: number }) : null);
    });
    try {
      const first = await timedRun(
        () => startImport(db, [file.path], { source: 'chatgpt', total: file.conversations, parser }).result,
        file.messages,
      );
      const report = first.value;
      if (report.verification.mismatches.length > 0)
        throw new Error(`The import reported mismatches: ${report.verification.mismatches.join(' ')}`);
      const importEnded = performance.now();
      const catchUp = await indexed;
      const indexCatchUp = catchUp ? { seconds: (performance.now() - importEnded) / 1000, indexed: catchUp.indexed } : null;
      unwatch();
      const started = performance.now();
      const again = await startImport(db, [file.path], { source: 'chatgpt', total: file.conversations, parser }).result;
      pglite = {
        ...first.run,
        messagesWritten: report.verification.messagesWritten,
        secondImportSeconds: (performance.now() - started) / 1000,
        secondImportAdded: again.verification.messagesWritten + again.verification.conversationsWritten,
        indexCatchUp,
      };
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    log(
      `  PGlite: ${Math.round(pglite.messagesPerSecond)} msg/s (${pglite.seconds.toFixed(1)} s, checks included); main-thread event-loop p99 ${pglite.loop.p99Ms.toFixed(1)} ms, max ${pglite.loop.maxMs.toFixed(1)} ms; RSS ${pglite.rssBeforeMb} → peak ${pglite.rssPeakMb} MB; search index caught up ${pglite.indexCatchUp ? `${pglite.indexCatchUp.seconds.toFixed(1)} s later (${pglite.indexCatchUp.indexed} messages)` : 'never (the job failed)'}; again: ${pglite.secondImportSeconds.toFixed(1)} s, ${pglite.secondImportAdded} added`,
    );

    let native: ImportBenchResults['native'] = null;
    let nativeError: string | undefined;
    if (options.native) {
      try {
        native = await nativeLoad(file.path, options.paths.migrationsDir);
        log(
          `  native ${native.serverVersion} (${native.source}): ${Math.round(native.messagesPerSecond)} msg/s (${native.seconds.toFixed(1)} s of INSERTs)`,
        );
      } catch (err) {
        nativeError = err instanceof Error ? err.message : String(err);
        log(`  native PostgreSQL unavailable: ${nativeError}`);
      }
    }

    let parse500: ImportBenchResults['parse500'] = null;
    if (options.parseMb > 0) {
      const perMessage = file.bytes / file.messages;
      const messages = Math.round((options.parseMb * 2 ** 20) / perMessage);
      const big = writeBenchExport(dir, options.seed + 1, messages, options.nowMs);
      rmSync(file.path, { force: true });
      const parsed = await timedRun(() => previewInWorker(parser, [big.path]), big.messages);
      if (parsed.value.messages !== big.messages)
        throw new Error(`The dry run found ${parsed.value.messages} messages of ${big.messages}.`);
      parse500 = { ...parsed.run, fileMb: mb(statSync(big.path).size), messages: big.messages };
      log(
        `  parse only, ${parse500.fileMb} MB: ${Math.round(parse500.messagesPerSecond)} msg/s; main-thread p99 ${parse500.loop.p99Ms.toFixed(1)} ms, max ${parse500.loop.maxMs.toFixed(1)} ms; RSS ${parse500.rssBeforeMb} → peak ${parse500.rssPeakMb} MB`,
      );
    }
    const { path: _path, ...fileInfo } = file;
    return { file: fileInfo, pglite, native, nativeError, parse500, idleLoop };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
