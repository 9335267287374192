/**
 * Host-agnostic wiring shared by the Electron host, the web host and the scripts: start the DB
 * worker on a data dir, recover from a crash, and build the handler map.
 */
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { startDbWorker, type DbClient, type DbClientOptions } from '../db/client';
import { createHandlers, type SaveTextFile } from './handlers';
import type { HandlerMap } from './dispatch';
import { CoreEvents } from './events';
import { createDefaultToolkit } from '../chat/defaultToolkit';
import { createChatEngine, type ChatEngine } from '../chat/engine';
import type { RunnerOptions } from '../chat/runner';
import type { ProviderToolkit } from '../chat/toolkit';
import type { SecretCipher } from '../secrets/cipher';
import type { DatabaseReplacement } from '../db/replaceDatabase';
import type { FolderOpener } from '../recovery/handlers';

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
  /** The emitter to announce on; a host that outlives one core (recovery) keeps its own. */
  events?: CoreEvents;
  /** Recovery: replace the database before opening it (the current one is moved aside). */
  replaceWith?: DatabaseReplacement;
  /** The host's way to show the data folder (Electron); the web host has none. */
  openFolder?: FolderOpener;
}

export async function startCore(options: StartCoreOptions): Promise<Core> {
  const { paths } = options;
  const db = await startDbWorker({
    workerPath: paths.workerPath,
    execArgv: options.execArgv,
    retention: options.retention,
    open: {
      dataDir: options.dataDir,
      migrationsDir: paths.migrationsDir,
      templateDir: existsSync(paths.templateDir) ? paths.templateDir : undefined,
      replaceWith: options.replaceWith,
    },
  });
  try {
    // Anything left streaming or running by a crash becomes "interrupted", its text kept.
    await db.call('recovery.interruptUnfinished', undefined);
  } catch (err) {
    // A start that fails after the worker is up must not keep the data dir open (and locked).
    await db.close();
    throw err;
  }
  const events = options.events ?? new CoreEvents();
  // Chats the retention job archived: views refresh their lists as after any other change.
  db.onNotice((notice) => events.emit(notice.kind, { ids: notice.ids }));
  const chat = createChatEngine({
    db,
    events,
    toolkit: options.providerToolkit ?? createDefaultToolkit(),
    cipher: options.cipher,
    runner: options.chat,
  });
  const handlers = createHandlers({
    db,
    events,
    info: { version: options.version, dataDir: options.dataDir, host: options.host },
    chat: chat.handlers,
    saveTextFile: options.saveTextFile,
    openFolder: options.openFolder,
  });
  // In the background: probing ports must not delay the window, and absence is no error.
  if (options.detectLocalProviders ?? true) void chat.adoptLocalProviders();
  return {
    db,
    events,
    handlers,
    chat,
    close: async () => {
      // Replies still streaming are saved as interrupted before the database closes.
      await chat.shutdown();
      await db.close();
    },
  };
}
