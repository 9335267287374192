/**
 * The real core (DB worker on a copy of the migrated PGlite template, the real handlers, runner
 * and search) behind the renderer's client, for tests whose behaviour lives there: branches,
 * paging, search, sending and streaming. One core per test file (starting one costs seconds),
 * emptied before each test.
 *
 * jsdom tests run in Node, so the core's worker thread runs here too; the vitest `dom` project
 * has the same global setup as `node` for the template.
 */
import type {} from '../../../../tests/helpers/global-setup';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { MethodName } from '@shared/contract';
import { uuidv7 } from '@shared/ids';
import type { Message, MessageRole, ProviderConfig, Session } from '@shared/types';
import { removeDataDir, startChatCore, type ChatCore } from '../../../../tests/helpers/chatCore';
import { withControls, type Controls } from './controls';
import { ScriptedProviders } from './scriptedProvider';

/** Starting a core copies a data dir and starts a worker: seconds, many more on a loaded machine. */
const CORE_START_TIMEOUT_MS = 180_000;
const RESET_TIMEOUT_MS = 60_000;

export type ChainMessage = Pick<Message, 'id' | 'sessionId' | 'role' | 'content'>;

export interface RealCore extends Controls {
  chat: ChatCore;
  /** The core's API for the test's own setup and checks: not recorded, never failed or held. */
  direct: ChatCore['api'];
  providers: ScriptedProviders;
  /** A chat, with its title and flags set through the API as a user would. */
  addSession(fields?: {
    title?: string;
    pinned?: boolean;
    archived?: boolean;
    trashed?: boolean;
    tags?: string[];
  }): Promise<Session>;
  /**
   * A message written as main's own code writes one (through the DB worker; no events): under the
   * chat's current leaf, or `parentId` (null: a new root). It becomes the current leaf unless
   * `makeCurrent` is false.
   */
  addMessage(
    sessionId: string,
    role: MessageRole,
    content: string,
    options?: { parentId?: string | null; makeCurrent?: boolean },
  ): Promise<Message>;
  /** Many chats in one worker call, newest activity last (so the list shows them in reverse). */
  addSessions(titles: readonly string[]): Promise<string[]>;
  /**
   * A chain of messages (each the child of the one before, the first under the current leaf) in
   * one worker call, made the chat's branch: how a long chat is seeded without hundreds of calls.
   */
  addChain(sessionId: string, messages: readonly { role: MessageRole; content: string }[]): Promise<ChainMessage[]>;
  /**
   * Ends a message as the runner does when a reply ends (through the DB worker; no events): its
   * final text (default: unchanged), status and reply facts.
   */
  finishMessage(
    id: string,
    fields: Partial<
      Pick<
        Message,
        'content' | 'tokensIn' | 'tokensOut' | 'tokensEstimated' | 'latencyMs' | 'errorCode' | 'errorMessage'
      >
    > & {
      status?: 'complete' | 'error' | 'cancelled' | 'interrupted';
    },
  ): Promise<Message>;
  /** A provider whose replies come from `providers` (scripted or echoed), made the default. */
  addProvider(fields?: { name?: string; models?: string[]; defaultModel?: string }): Promise<ProviderConfig>;
  message(id: string): Promise<Message>;
}

/** Calls a method through the core's own client, as a view would. */
function callThrough(chat: ChatCore, method: MethodName, input: unknown): Promise<unknown> {
  const [namespace, name] = method.split('.') as [string, string];
  const group = (chat.api as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[namespace];
  return group![name]!(input);
}

async function startRealCore(): Promise<RealCore & { close(): Promise<void>; reset(): Promise<void> }> {
  const providers = new ScriptedProviders();
  const chat = await startChatCore({ providerToolkit: providers.toolkit, retention: false });
  const controls = withControls(
    (method, input) => callThrough(chat, method, input),
    (listener) => chat.core.events.subscribe(listener),
  );
  const { api } = chat;
  let providerCount = 0;

  return {
    ...controls,
    chat,
    direct: chat.api,
    providers,

    async addSession(fields = {}) {
      let session = await api.sessions.create({ title: fields.title ?? '' });
      if (fields.tags) session = await api.sessions.update({ id: session.id, tags: fields.tags });
      if (fields.pinned) session = await api.sessions.setPinned({ id: session.id, pinned: true });
      if (fields.archived) session = await api.sessions.setArchived({ id: session.id, archived: true });
      if (fields.trashed) session = await api.sessions.trash({ id: session.id });
      return session;
    },

    addMessage(sessionId, role, content, options = {}) {
      return chat.core.db.call('messages.append', {
        sessionId,
        role,
        content,
        ...(options.parentId !== undefined ? { parentId: options.parentId } : {}),
        ...(options.makeCurrent !== undefined ? { makeCurrent: options.makeCurrent } : {}),
      });
    },

    async addSessions(titles) {
      // One millisecond apart, in order, and all in the past: a chat the test makes next is the
      // newest however soon it comes (they once ran up to a page's worth of ms into the future,
      // and a fast machine made "the newest" chat before the last of them).
      const start = Date.now() - titles.length - 1;
      const rows = titles.map((title, i) => {
        const at = new Date(start + i).toISOString();
        return {
          id: uuidv7(),
          title,
          status: 'active' as const,
          pinned: false,
          tags: [],
          provider_id: null,
          model: null,
          current_leaf_id: null,
          created_at: at,
          last_activity_at: at,
        };
      });
      await chat.core.db.call('bulk.insertCorpus', { sessions: rows });
      return rows.map((r) => r.id);
    },

    async addChain(sessionId, messages) {
      const session = await api.sessions.get({ id: sessionId });
      const leaf = session.currentLeafId ? await chat.message(session.currentLeafId) : null;
      const start = Date.now();
      let parentId = leaf?.id ?? null;
      const rows = messages.map(({ role, content }, i) => {
        const row = {
          id: uuidv7(),
          session_id: sessionId,
          parent_id: parentId,
          depth: (leaf ? leaf.depth + 1 : 0) + i,
          role,
          content,
          status: 'complete',
          model: null,
          provider_id: null,
          tokens_in: null,
          tokens_out: null,
          latency_ms: null,
          // Strictly increasing, so "newest" among siblings and in search is well defined.
          created_at: new Date(start + i).toISOString(),
        };
        parentId = row.id;
        return row;
      });
      await chat.core.db.call('bulk.insertCorpus', { messages: rows });
      if (parentId) await api.sessions.setCurrentLeaf({ sessionId, messageId: parentId });
      return rows.map((r) => ({ id: r.id, sessionId, role: r.role as MessageRole, content: r.content }));
    },

    async finishMessage(id, fields) {
      const current = await chat.message(id);
      return chat.core.db.call('messages.finalise', {
        status: 'complete',
        ...fields,
        id,
        content: fields.content ?? current.content,
      });
    },

    async addProvider(fields = {}) {
      const baseUrl = `http://127.0.0.1:9/scripted-${++providerCount}/v1`;
      const provider = await api.providers.create({
        preset: 'custom',
        name: fields.name ?? 'Scripted',
        baseUrl,
        models: fields.models ?? ['scripted-model'],
        defaultModel: fields.defaultModel ?? fields.models?.[0] ?? 'scripted-model',
      });
      await api.settings.setChat({ defaultProviderId: provider.id, defaultModel: null });
      return provider;
    },

    message: (id) => chat.message(id),

    /** Back to an empty app: no reply running, no chats, providers, saved tabs or theme. */
    async reset() {
      providers.reset();
      controls.calls.length = 0;
      const { sessionIds } = await api.chat.active({});
      const before = new Set(chat.events.map((event) => event.payload));
      for (const sessionId of sessionIds) await api.chat.stop({ sessionId });
      for (const sessionId of sessionIds) {
        // A chat.done that comes after the stop (an earlier reply's does not count).
        await chat.waitFor('chat.done', (done) => done.sessionId === sessionId && !before.has(done), RESET_TIMEOUT_MS);
      }
      for (const view of ['active', 'archived'] as const) {
        for (;;) {
          const page = await api.sessions.list({ view, limit: 500 });
          if (page.items.length === 0) break;
          for (const session of page.items) await api.sessions.trash({ id: session.id });
        }
      }
      await api.sessions.emptyTrash({});
      for (const provider of await api.providers.list({})) await api.providers.delete({ id: provider.id });
      // No auto-titles: a title request would take a scripted reply meant for the chat.
      await api.settings.setChat({ autoTitle: false, defaultProviderId: null, defaultModel: null });
      for (const key of ['tabs', 'theme']) await api.ui.set({ key, value: null });
    },

    async close() {
      await chat.close();
      removeDataDir(chat.dataDir);
    },
  };
}

/**
 * One real core for the test file: started before its tests, emptied before each, closed after.
 * Returns a getter (the core exists only once `beforeAll` ran).
 */
export function realCoreForTests(): () => RealCore {
  let core: Awaited<ReturnType<typeof startRealCore>> | undefined;
  beforeAll(async () => {
    core = await startRealCore();
  }, CORE_START_TIMEOUT_MS);
  beforeEach(async () => {
    await core!.reset();
  }, RESET_TIMEOUT_MS);
  afterAll(async () => {
    await core?.close();
  });
  return () => {
    if (!core) throw new Error('The real core has not started: use it inside a test.');
    return core;
  };
}
