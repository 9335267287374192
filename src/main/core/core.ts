/**
 * Host-agnostic wiring shared by the Electron host, the web host and the scripts: start the DB
 * worker on a data dir, recover from a crash, and build the handler map.
 */
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { startDbWorker, type DbClient, type DbClientOptions } from '../db/client';
import { createHandlers } from './handlers';
import type { HandlerMap, SaveTextFile } from '../kit/handlers';
import { startChangeFeed } from './changeFeed';
import { CoreEvents } from './events';
import { JobTracker } from '../jobs/tracker';
import { createDefaultToolkit } from '../providers/defaultToolkit';
import { createChatEngine, type ChatEngine } from '../chat/engine';
import type { RunnerOptions } from '../chat/runner';
import type { ProviderToolkit } from '../providers/toolkit';
import type { SecretCipher } from '../secrets/cipher';
import type { DatabaseReplacement } from '../db/replaceDatabase';
import type { FolderOpener } from '../recovery/handlers';
import { createAttachmentService, scheduleBlobCollection } from '../attachments';
import { ToolManager } from '../tools/manager';
import { toolSource } from '../tools/loop';
import { unavailableCipher } from '../secrets/cipher';
import { SyncService, type SyncTiming } from '../sync/service';

export interface CorePaths {
  /** Folder of the built main bundle (out/main), used to find the worker and assets. */
  mainDir: string;
  migrationsDir: string;
  templateDir: string;
  workerPath: string;
  rendererDir: string;
}

/** Where things are relative to the built main bundle (out/main/*.js). */
export function builtPaths(mainDir: string): CorePaths {
  const root = resolve(mainDir, '..', '..');
  return {
    mainDir,
    migrationsDir: join(root, 'migrations'),
    templateDir: resolve(mainDir, '..', 'pgdata-template'),
    workerPath: join(mainDir, 'db-worker.js'),
    rendererDir: resolve(mainDir, '..', 'renderer'),
  };
}

export interface Core {
  db: DbClient;
  events: CoreEvents;
  handlers: HandlerMap;
  chat: ChatEngine;
  jobs: JobTracker;
  /** Team sync (status, rounds, and a server connection for the team handlers). */
  sync: SyncService;
  /** Local providers set up at start-up (ids); settles once detection is over. */
  localDetection: Promise<string[]>;
  close(): Promise<void>;
}

export interface StartCoreOptions {
  dataDir: string;
  paths: CorePaths;
  host: 'electron' | 'web';
  version: string;
  execArgv?: string[];
  /**
   * Encrypts API keys before they reach the DB: the host's choice (Electron safeStorage, the
   * web host's key file). Without one, storing a key is refused.
   */
  cipher?: SecretCipher;
  /** The provider adapters; tests may point local detection elsewhere. */
  providerToolkit?: ProviderToolkit;
  chat?: RunnerOptions;
  /** Look for a local Ollama / LM Studio after start and set it up once (default true). */
  detectLocalProviders?: boolean;
  /** The host's save dialog (Electron); the web host has none and downloads in the page. */
  saveTextFile?: SaveTextFile;
  /** The retention job's timing in the DB worker; false: off. Default: 5 s after start, then daily. */
  retention?: DbClientOptions['retention'];
  /** Worker calls slower than this are logged to app_logs (default 100 ms). */
  slowCallMs?: number;
  /** The emitter to announce on; a host that outlives one core (recovery) keeps its own. */
  events?: CoreEvents;
  /** Recovery: replace the database before opening it (the current one is moved aside). */
  replaceWith?: DatabaseReplacement;
  /** The host's way to show the data folder (Electron); the web host has none. */
  openFolder?: FolderOpener;
  /** Longest wait for one MCP tool call (default 60 s). */
  toolCallTimeoutMs?: number;
  /**
   * Team sync: a connection string to sync with from the start (CONFAB_SYNC_URL; stored like one
   * given to sync.connect), and the scheduler's timing (tests shorten it).
   */
  sync?: { url?: string; timing?: Partial<SyncTiming>; pullLimit?: number; pushLimit?: number };
}

export async function startCore(options: StartCoreOptions): Promise<Core> {
  const { paths } = options;
  const db = await startDbWorker({
    workerPath: paths.workerPath,
    execArgv: options.execArgv,
    retention: options.retention,
    slowCallMs: options.slowCallMs,
    open: {
      dataDir: options.dataDir,
      migrationsDir: paths.migrationsDir,
      templateDir: existsSync(paths.templateDir) ? paths.templateDir : undefined,
      replaceWith: options.replaceWith,
    },
  });
  const events = options.events ?? new CoreEvents();
  const stopChangeFeed = startChangeFeed(db, events);
  const jobs = new JobTracker(db, events);
  try {
    // Anything left streaming or running by a crash becomes "interrupted", its text kept.
    await db.call('recovery.interruptUnfinished', undefined, { source: 'system' });
  } catch (err) {
    // A start that fails after the worker is up must not keep the data dir open (and locked).
    stopChangeFeed();
    await db.close();
    throw err;
  }
  const attachments = createAttachmentService({
    db,
    dataDir: options.dataDir,
    dbWorkerPath: paths.workerPath,
    execArgv: options.execArgv,
  });
  const stopBlobCollection = scheduleBlobCollection(db, options.dataDir);
  // Calls a crash left waiting or running end as interrupted; servers that are on start in the background.
  await db.call('tools.interruptUnfinished', undefined, { source: 'system' });
  const tools = new ToolManager(db, events, options.cipher ?? unavailableCipher, options.toolCallTimeoutMs);
  void tools.startEnabled().catch(() => undefined);
  const chat = createChatEngine({
    db,
    attachments,
    tools: toolSource(db, tools),
    events,
    toolkit: options.providerToolkit ?? createDefaultToolkit(),
    cipher: options.cipher,
    runner: options.chat,
  });
  const sync = new SyncService({
    db,
    events,
    cipher: options.cipher ?? unavailableCipher,
    schemaVersion: db.info.schemaVersion,
    timing: options.sync?.timing,
    pullLimit: options.sync?.pullLimit,
    pushLimit: options.sync?.pushLimit,
  });
  // In the background: a team server that is down or slow never delays the window.
  void sync.start({ url: options.sync?.url }).catch((err: unknown) => {
    console.error('[sync] could not start:', err instanceof Error ? err.message : err);
  });
  const handlers = createHandlers({
    db,
    info: { version: options.version, dataDir: options.dataDir, host: options.host },
    chat,
    jobs,
    saveTextFile: options.saveTextFile,
    openFolder: options.openFolder,
    attachments,
    tools,
    sync,
  });
  // In the background: probing ports must not delay the window, and absence is no error.
  const localDetection = (options.detectLocalProviders ?? true) ? chat.adoptLocalProviders() : Promise.resolve([]);
  return {
    db,
    events,
    handlers,
    chat,
    jobs,
    sync,
    localDetection,
    close: async () => {
      // Replies still streaming are saved as interrupted before the database closes.
      await chat.shutdown();
      await sync.close();
      stopBlobCollection();
      await tools.close();
      await attachments.close();
      await db.close();
    },
  };
}
