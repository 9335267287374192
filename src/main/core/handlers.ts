/**
 * The handler map, combined from one slice per domain. Its type is derived from the contract,
 * so the compiler refuses a missing method; two slices answering the same name are refused when
 * the core starts. Adding a domain is its folder plus one line here.
 */
import type { AppInfo } from '@shared/types';
import { appHandlers } from '../app/handlers';
import { attachmentsHandlers } from '../attachments/handlers';
import { createAttachmentService, type AttachmentService } from '../attachments';
import type { ImportParser } from '../import/parser';
import { toolsHandlers } from '../tools/handlers';
import { syncHandlers } from '../sync/handlers';
import { teamHandlers } from '../sync/teamHandlers';
import { SyncService } from '../sync/service';
import { ToolManager } from '../tools/manager';
import { unavailableCipher } from '../secrets/cipher';
import type { ChatEngine } from '../chat/engine';
import type { DbClient } from '../db/client';
import { dataHandlers } from '../backup/handlers';
import { jobsHandlers } from '../jobs/handlers';
import type { JobTracker } from '../jobs/tracker';
import type { HandlerMap, SaveTextFile } from '../kit/handlers';
import { logsHandlers } from '../logs/handlers';
import { messagesHandlers } from '../messages/handlers';
import { createReadyStateHandlers, type FolderOpener } from '../recovery/handlers';
import { searchHandlers } from '../search/handlers';
import { sessionsHandlers } from '../sessions/handlers';
import { uiHandlers } from '../ui/handlers';
import { usageHandlers } from '../usage/handlers';

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Merges handler slices, refusing a method that two slices both answer. */
export function combineHandlers<T extends readonly object[]>(...slices: T): UnionToIntersection<T[number]> {
  const combined: Record<string, unknown> = {};
  for (const slice of slices) {
    for (const [name, handler] of Object.entries(slice)) {
      if (Object.hasOwn(combined, name)) throw new Error(`Two handler slices answer "${name}".`);
      combined[name] = handler;
    }
  }
  return combined as UnionToIntersection<T[number]>;
}

export interface HandlerDeps {
  db: DbClient;
  info: Omit<AppInfo, 'schemaVersion' | 'engine'>;
  chat: ChatEngine;
  jobs: JobTracker;
  /** The host's save dialog (Electron); without one, CSV export is a download in the renderer. */
  saveTextFile?: SaveTextFile;
  /** The host's way to show the data folder (Electron); the web host has none. */
  openFolder?: FolderOpener;
  /** Attachments (blob store, extraction worker); made over the data folder when not given. */
  attachments?: AttachmentService;
  /** MCP tool servers; made without a cipher (no stored environments) when not given. */
  tools?: ToolManager;
  /** Team sync; an unstarted one (status off, nothing stored) when not given. */
  sync?: SyncService;
  /** The import's parse worker; beside this bundle when not given. */
  importParser?: ImportParser;
}

export function createHandlers({
  db,
  info,
  chat,
  jobs,
  saveTextFile,
  openFolder,
  attachments,
  tools,
  sync,
  importParser,
}: HandlerDeps): HandlerMap {
  const service =
    sync ??
    new SyncService({
      db,
      events: { emit: () => undefined },
      cipher: unavailableCipher,
      schemaVersion: db.info?.schemaVersion ?? 0,
    });
  return combineHandlers(
    appHandlers(db, info),
    sessionsHandlers(db),
    messagesHandlers(db),
    searchHandlers(db),
    usageHandlers(db, saveTextFile),
    uiHandlers(db),
    logsHandlers(db),
    jobsHandlers(jobs),
    dataHandlers(db, info.dataDir, info.version, saveTextFile, importParser),
    chat.handlers,
    createReadyStateHandlers({ dataDir: info.dataDir, openFolder }),
    attachmentsHandlers(db, attachments ?? createAttachmentService({ db, dataDir: info.dataDir })),
    toolsHandlers(db, tools ?? new ToolManager(db, { emit: () => undefined }, unavailableCipher)),
    syncHandlers(service),
    teamHandlers(db, (fn) => service.withServer(fn)),
  ) satisfies HandlerMap;
}
