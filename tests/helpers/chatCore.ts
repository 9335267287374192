/**
 * A real core (DB worker on a copy of the migrated template, the real provider adapters) for
 * chat engine tests, driven through the same client the renderer uses. Every request and answer
 * crosses a JSON round trip, as over IPC or the WebSocket, and is kept so that tests can check
 * what a view could ever have seen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { createClient, type ConfabApi } from '../../src/shared/client';
import type { EventMap, EventName } from '../../src/shared/contract';
import type { Message } from '../../src/shared/types';
import { startCore, type Core, type CorePaths, type StartCoreOptions } from '../../src/main/core/core';
import { dispatch } from '../../src/main/core/dispatch';
import { keyFileCipher } from '../../src/main/secrets/keyFileCipher';
import { MIGRATIONS_DIR } from './engines';

export const DB_WORKER_TS = resolve(import.meta.dirname, 'db-worker-ts.mjs');

export interface SeenEvent {
  name: EventName;
  payload: unknown;
  at: number;
}

export interface ChatCore {
  core: Core;
  api: ConfabApi;
  dataDir: string;
  /** Every event, in order. */
  events: SeenEvent[];
  /** Every request, answer and event as JSON text, as it crossed to or from a view. */
  wire: { kind: 'request' | 'answer' | 'event'; text: string }[];
  /** Resolves with the chat.done payload of this message's latest reply (waiting if it has not come yet). */
  done(messageId: string, timeoutMs?: number): Promise<EventMap['chat.done']>;
  /** The first event `name` matching `match`, from event index `after` on (waiting if none has come yet). */
  waitFor<E extends EventName>(name: E, match: (payload: EventMap[E]) => boolean, timeoutMs?: number, after?: number): Promise<EventMap[E]>;
  message(id: string): Promise<Message>;
  /** Stops this core as a crash would (the worker dies), keeping the data dir. */
  crash(): Promise<void>;
  close(): Promise<void>;
}

export interface ChatCoreOptions
  extends Partial<Pick<StartCoreOptions, 'chat' | 'providerToolkit' | 'detectLocalProviders' | 'cipher' | 'saveTextFile' | 'retention' | 'slowCallMs' | 'toolCallTimeoutMs' | 'sync'>> {
  /** Reopen an existing data dir (after a crash) instead of a new one. */
  dataDir?: string;
}

function corePaths(): CorePaths {
  const scratch = mkdtempSync(join(tmpdir(), 'confab-chat-paths-'));
  return {
    mainDir: scratch,
    migrationsDir: MIGRATIONS_DIR,
    templateDir: inject('pgliteTemplateDir'),
    workerPath: DB_WORKER_TS,
    rendererDir: scratch,
  };
}

export async function startChatCore(options: ChatCoreOptions = {}): Promise<ChatCore> {
  const dataDir = options.dataDir ?? join(mkdtempSync(join(tmpdir(), 'confab-chat-')), 'data');
  const core = await startCore({
    dataDir,
    paths: corePaths(),
    host: 'web',
    version: 'test',
    cipher: options.cipher ?? keyFileCipher(dataDir),
    detectLocalProviders: options.detectLocalProviders ?? false,
    chat: options.chat,
    providerToolkit: options.providerToolkit,
    saveTextFile: options.saveTextFile,
    retention: options.retention,
    slowCallMs: options.slowCallMs,
    toolCallTimeoutMs: options.toolCallTimeoutMs,
    sync: options.sync,
  });
  const events: SeenEvent[] = [];
  const wire: ChatCore['wire'] = [];
  const waiters = new Set<() => void>();
  core.events.subscribe((name, payload) => {
    const copy = JSON.parse(JSON.stringify(payload)) as unknown;
    wire.push({ kind: 'event', text: JSON.stringify({ event: name, payload }) });
    events.push({ name, payload: copy, at: performance.now() });
    for (const wake of [...waiters]) wake();
  });
  const api = createClient({
    invoke: async (method, input) => {
      const request = JSON.stringify({ method, input });
      wire.push({ kind: 'request', text: request });
      const envelope = await dispatch(core.handlers, method, JSON.parse(request).input);
      const text = JSON.stringify(envelope);
      wire.push({ kind: 'answer', text });
      return JSON.parse(text);
    },
    subscribe: (listener) => core.events.subscribe(listener),
  });

  function waitFor<E extends EventName>(name: E, match: (p: EventMap[E]) => boolean, timeoutMs = 20_000, after = 0) {
    return new Promise<EventMap[E]>((resolvePromise, reject) => {
      const check = () => {
        const hit = events.slice(after).find((e) => e.name === name && match(e.payload as EventMap[E]));
        if (!hit) return false;
        cleanup();
        resolvePromise(hit.payload as EventMap[E]);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`No ${name} event matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) waiters.add(wake);
    });
  }

  return {
    core,
    api,
    dataDir,
    events,
    wire,
    waitFor,
    // A retried reply streams into the same message again: its end is the chat.done after the
    // last chat.started of that message, not an earlier one.
    done: (messageId, timeoutMs) => {
      const started = events.findLastIndex(
        (e) => e.name === 'chat.started' && (e.payload as EventMap['chat.started']).messageId === messageId,
      );
      return waitFor('chat.done', (p) => p.messageId === messageId, timeoutMs, Math.max(0, started));
    },
    message: (id) => core.db.call('messages.get', { id }),
    crash: () => core.db.terminate(),
    close: async () => {
      await core.close();
    },
  };
}

export function removeDataDir(dataDir: string): void {
  rmSync(resolve(dataDir, '..'), { recursive: true, force: true });
}
