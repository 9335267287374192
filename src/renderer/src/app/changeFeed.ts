/**
 * The change-feed router: the one place that listens to main's events and routes them to the
 * slices. Change events come in bursts (an import of 100k messages, a sync pull, retention), so
 * they are gathered for a short window and each burst becomes at most one re-read per thing
 * shown: one sidebar refresh, one reload per open chat, one providers read. Chat streaming events
 * are not changes to data; they go through at once (deltas are batched per frame by the chat slice).
 *
 * Handling a change only ever reads. Whatever the source ('local', 'import', 'remote', 'system'),
 * nothing is written back to main's data, so a change pulled from the team server can never be
 * echoed to it. (Closing the tab of a chat deleted elsewhere saves the tab list, which is local UI
 * state and never synced.)
 */
import type { ConfabApi } from '@shared/client';
import { replyFinished } from '../features/chat/actions';
import { refreshChangedMessages } from '../features/messages/actions';
import { refreshChangedChats } from '../features/sessions/actions';
import type { AppStore } from './types';
import { watchTools } from '../features/tools/store';
import { watchSync } from '../features/sync/store';

/** How long a burst of changes may gather before it is acted on. */
export const CHANGE_BATCH_MS = 100;

/** Runs `flush` once, later; returns a function that cancels it. */
export type FlushScheduler = (flush: () => void) => () => void;

export const defaultFlushScheduler: FlushScheduler = (flush) => {
  const timer = setTimeout(flush, CHANGE_BATCH_MS);
  return () => clearTimeout(timer);
};

export interface ChangeFeedOptions {
  /** When a gathered burst is routed; tests pass a manual one. Default: CHANGE_BATCH_MS after its first event. */
  scheduleFlush?: FlushScheduler;
}

/** 'all': some event in the burst named no ids, which means "anything may have changed". */
type IdSet = Set<string> | 'all';

interface Burst {
  sessions: IdSet | null;
  /** Chats whose messages changed. Which messages does not matter: a shown chat is re-read as a whole. */
  messages: Set<string>;
  providers: boolean;
  settings: IdSet | null;
}

const emptyBurst = (): Burst => ({ sessions: null, messages: new Set(), providers: false, settings: null });

function addIds(current: IdSet | null, ids: readonly string[]): IdSet {
  if (current === 'all' || ids.length === 0) return 'all';
  const next = current ?? new Set<string>();
  for (const id of ids) next.add(id);
  return next;
}

const CHAT_SETTINGS_KEY = 'chat';
const USAGE_SETTINGS_KEY = 'usage';

function route(app: AppStore, burst: Burst): void {
  const state = app.getState();
  if (burst.sessions) void refreshChangedChats(app, burst.sessions === 'all' ? null : burst.sessions);
  for (const sessionId of burst.messages) refreshChangedMessages(app, sessionId);
  // Includes a provider adopted by local detection at startup, which no view asked for.
  if (burst.providers) void state.loadProviders();
  if (burst.settings) {
    const names = (key: string) => burst.settings === 'all' || burst.settings?.has(key) === true;
    if (names(CHAT_SETTINGS_KEY)) void state.loadChatSettings();
    // Usage settings are read only by the Settings dialog; re-read them only once it has.
    if (names(USAGE_SETTINGS_KEY) && state.usageSettings.status !== 'idle') void state.loadUsageSettings();
  }
}

/** Subscribes to main's events for this store. Returns the unsubscribe (pending changes are dropped). */
export function startChangeFeed(api: ConfabApi, app: AppStore, options: ChangeFeedOptions = {}): () => void {
  const schedule = options.scheduleFlush ?? defaultFlushScheduler;
  let burst = emptyBurst();
  let cancel: (() => void) | null = null;

  const flush = () => {
    cancel = null;
    const gathered = burst;
    burst = emptyBurst();
    route(app, gathered);
  };
  const gather = (add: (burst: Burst) => void) => {
    add(burst);
    cancel ??= schedule(flush);
  };

  const offs = [
    api.on('sessions.changed', ({ ids }) => gather((b) => (b.sessions = addIds(b.sessions, ids)))),
    api.on('messages.changed', ({ sessionId }) => gather((b) => b.messages.add(sessionId))),
    api.on('providers.changed', () => gather((b) => (b.providers = true))),
    api.on('settings.changed', ({ keys }) => gather((b) => (b.settings = addIds(b.settings, keys)))),
    api.on('chat.started', (event) => app.getState().handleChatStarted(event)),
    api.on('chat.delta', (event) => app.getState().handleChatDelta(event)),
    api.on('chat.done', (event) => void replyFinished(app, event)),
    ...watchTools(api, app),
    ...watchSync(api, app),
  ];
  return () => {
    for (const off of offs) off();
    cancel?.();
    cancel = null;
  };
}
