/**
 * An in-memory Confab behind the real `createClient`, for component and store tests. It sits at
 * the process boundary: inputs are parsed with the contract's zod schemas (so a bad call fails as
 * it would against main), errors travel as envelopes, and events arrive after the call returns.
 */
import { createClient, type ConfabApi, type Envelope, type Transport } from '@shared/client';
import {
  contract,
  type EventMap,
  type EventName,
  type MethodName,
  type MethodOutput,
  type ParsedInput,
} from '@shared/contract';
import { ConfabError, toErrorData, type ErrorCode } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import type {
  BranchMessage,
  ChatSettings,
  DetectedProvider,
  Message,
  MessageDeletion,
  MessageRole,
  MessageStatus,
  ProviderConfig,
  ProviderPresetInfo,
  SearchHit,
  Session,
  SessionSummary,
} from '@shared/types';
import { FakeRecovery } from './fakeRecovery';
import { FakeUsage } from './fakeUsage';
import { SNIPPET_MARK_END, SNIPPET_MARK_START } from '@shared/types';

type Handler<K extends MethodName> = (input: ParsedInput<K>) => MethodOutput<K>;
type Handlers = { [K in MethodName]?: Handler<K> };

export interface RecordedCall {
  method: MethodName;
  input: unknown;
}

let clock = Date.parse('2026-11-01T10:00:00Z');
/** Strictly increasing timestamps, so "newest first" is deterministic. */
function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export const FAKE_PRESETS: ProviderPresetInfo[] = [
  {
    preset: 'openai',
    kind: 'openai',
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'anthropic',
    kind: 'anthropic',
    label: 'Anthropic',
    baseUrl: 'https://api.anthropic.com',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'openrouter',
    kind: 'openai',
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'ollama',
    kind: 'openai',
    label: 'Ollama',
    baseUrl: 'http://localhost:11434/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'lmstudio',
    kind: 'openai',
    label: 'LM Studio',
    baseUrl: 'http://localhost:1234/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'llamacpp',
    kind: 'openai',
    label: 'llama.cpp server',
    baseUrl: 'http://localhost:8080/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'custom',
    kind: 'openai',
    label: 'Custom (OpenAI-compatible)',
    baseUrl: '',
    needsKey: false,
    isLocal: false,
  },
];

const includesText = (text: string, needle: string) => text.toLowerCase().includes(needle.toLowerCase());

/** Main's snippet format: the text around the first hit, every hit wrapped in the mark characters. */
function fakeSnippet(text: string, needle: string): string {
  const at = Math.max(0, text.toLowerCase().indexOf(needle.toLowerCase()));
  const around = text.slice(Math.max(0, at - 40), at + needle.length + 40);
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return around.replace(new RegExp(escaped, 'gi'), (hit) => SNIPPET_MARK_START + hit + SNIPPET_MARK_END);
}

export class FakeConfab {
  readonly sessions = new Map<string, Session>();
  readonly messages = new Map<string, Message>();
  readonly uiState = new Map<string, unknown>();
  readonly providers = new Map<string, ProviderConfig>();
  /** Keys as main would keep them: never returned by any method. */
  readonly apiKeys = new Map<string, string>();
  chatSettings: ChatSettings = { autoTitle: true, defaultProviderId: null, defaultModel: null, contextBudget: 8000 };
  /** Sessions with a reply in flight → its assistant message id. */
  readonly active = new Map<string, string>();
  /** What `providers.models` answers, by provider id; default: the provider's own list. */
  readonly serverModels = new Map<string, string[]>();
  detectedLocal: DetectedProvider[] = [];
  /** usage.* and prices.* (see fakeUsage.ts). */
  readonly usage = new FakeUsage();
  /** app.startup and recovery.* (see fakeRecovery.ts). */
  readonly recovery = new FakeRecovery();
  readonly calls: RecordedCall[] = [];
  readonly api: ConfabApi;
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();
  private readonly failures = new Map<MethodName, ConfabError[]>();
  private readonly gates = new Map<MethodName, Promise<void>[]>();

  constructor() {
    const transport: Transport = {
      invoke: (method, input) => this.invoke(method, input),
      subscribe: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
    };
    this.api = createClient(transport);
  }

  /** The next call to `method` fails with this error. */
  failNext(method: MethodName, code: ErrorCode, message: string): void {
    const list = this.failures.get(method) ?? [];
    list.push(new ConfabError(code, message));
    this.failures.set(method, list);
  }

  /** The next call to `method` waits until the returned function is called. */
  holdNext(method: MethodName): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const list = this.gates.get(method) ?? [];
    list.push(gate);
    this.gates.set(method, list);
    return release;
  }

  callsTo(method: MethodName): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.input);
  }

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const listener of [...this.listeners]) listener(event, payload);
  }

  // --- seeding, as another window or a sync would change data ---

  addSession(fields: Partial<Session> = {}): Session {
    const now = tick();
    const session: Session = {
      id: uuidv7(),
      ownerId: '00000000-0000-7000-8000-000000000001',
      title: '',
      description: '',
      status: 'active',
      pinned: false,
      tags: [],
      providerId: null,
      model: null,
      systemPrompt: '',
      settings: {},
      params: {},
      visibility: 'private',
      currentLeafId: null,
      messageCount: 0,
      tokensIn: 0,
      tokensOut: 0,
      lastMessageAt: null,
      lastActivityAt: now,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      ...fields,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** Appends under the current leaf (or `fields.parentId`) and makes the new message the leaf. */
  addMessage(sessionId: string, role: MessageRole, content: string, fields: Partial<Message> = {}): Message {
    const session = this.sessions.get(sessionId);
    if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
    const parentId = fields.parentId === undefined ? session.currentLeafId : fields.parentId;
    const parent = parentId ? this.messages.get(parentId) : undefined;
    const now = tick();
    const message: Message = {
      id: uuidv7(),
      sessionId,
      parentId: parent?.id ?? null,
      depth: parent ? parent.depth + 1 : 0,
      role,
      content,
      contentType: 'text/plain',
      status: 'complete',
      providerId: null,
      model: null,
      tokensIn: null,
      tokensOut: null,
      tokensEstimated: false,
      latencyMs: null,
      errorCode: null,
      errorMessage: null,
      toolCalls: null,
      reasoning: '',
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      ...fields,
    };
    this.messages.set(message.id, message);
    this.sessions.set(sessionId, {
      ...session,
      currentLeafId: message.id,
      messageCount: session.messageCount + 1,
      lastMessageAt: now,
      lastActivityAt: now,
      updatedAt: now,
    });
    return message;
  }

  addProvider(fields: Partial<ProviderConfig> = {}, apiKey?: string): ProviderConfig {
    const now = tick();
    const provider: ProviderConfig = {
      id: uuidv7(),
      kind: 'openai',
      preset: 'custom',
      name: 'Test provider',
      baseUrl: 'http://127.0.0.1:9/v1',
      defaultModel: null,
      models: [],
      contextBudget: null,
      params: {},
      enabled: true,
      isLocal: true,
      hasApiKey: apiKey !== undefined,
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
    this.providers.set(provider.id, provider);
    if (apiKey !== undefined) this.apiKeys.set(provider.id, apiKey);
    return provider;
  }

  /** Siblings of a message, oldest first, as main orders them. */
  siblingsOf(messageId: string): Message[] {
    const m = this.messages.get(messageId);
    if (!m) throw new ConfabError('not_found', 'That message no longer exists.');
    return [...this.messages.values()]
      .filter((x) => x.sessionId === m.sessionId && x.parentId === m.parentId && !x.deletedAt)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  private setSubtreeDeleted(messageId: string, deletedAt: string | null): MessageDeletion {
    const root = this.messages.get(messageId);
    if (!root) throw new ConfabError('not_found', 'That message no longer exists.');
    const ids = [messageId];
    for (let i = 0; i < ids.length; i++) {
      for (const m of this.messages.values()) if (m.parentId === ids[i]) ids.push(m.id);
    }
    for (const id of ids) {
      const m = this.messages.get(id);
      if (m) this.messages.set(id, { ...m, deletedAt });
    }
    const currentLeafId = deletedAt ? root.parentId : (ids.at(-1) ?? null);
    this.patchSession(root.sessionId, { currentLeafId });
    this.emitSoon('messages.changed', { sessionId: root.sessionId, messageIds: ids, source: 'local' });
    return { sessionId: root.sessionId, deletedIds: ids, currentLeafId };
  }

  /** The branch from the root to `leafId`, with sibling positions, oldest first. */
  branchTo(leafId: string | null): BranchMessage[] {
    const path: BranchMessage[] = [];
    let id = leafId;
    while (id) {
      const m = this.messages.get(id);
      if (!m) break;
      const siblings = this.siblingsOf(m.id);
      path.unshift({ ...m, siblingCount: siblings.length, siblingIndex: siblings.findIndex((s) => s.id === m.id) });
      id = m.parentId;
    }
    return path;
  }

  /** Like main's newestLeafUnder: follow the newest live child down. */
  newestLeafUnder(messageId: string): string {
    let leaf = messageId;
    for (;;) {
      const children = [...this.messages.values()]
        .filter((m) => m.parentId === leaf && !m.deletedAt)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
      if (!children[0]) return leaf;
      leaf = children[0].id;
    }
  }

  /** Ends a reply as main's runner would: final content and status, then chat.done and messages.changed. */
  finishReply(messageId: string, fields: Partial<Message> & { status?: MessageStatus } = {}): void {
    const m = this.messages.get(messageId);
    if (!m) throw new Error(`no message ${messageId}`);
    const final: Message = { ...m, status: 'complete', ...fields, updatedAt: tick() };
    this.messages.set(messageId, final);
    if (this.active.get(m.sessionId) === messageId) this.active.delete(m.sessionId);
    this.emit('chat.done', {
      sessionId: m.sessionId,
      messageId,
      status: final.status,
      errorCode: final.errorCode,
      errorMessage: final.errorMessage,
    });
    this.emit('messages.changed', { sessionId: m.sessionId, messageIds: [messageId], source: 'local' });
  }

  /** The assistant message a reply is streaming into, if any. */
  activeReply(sessionId: string): string | undefined {
    return this.active.get(sessionId);
  }

  private startReply(sessionId: string, parentId: string): Message {
    if (this.active.has(sessionId)) {
      throw new ConfabError('conflict', 'This chat is still writing a reply. Wait for it to finish, or stop it first.');
    }
    const assistant = this.addMessage(sessionId, 'assistant', '', { parentId, status: 'streaming' });
    this.active.set(sessionId, assistant.id);
    this.emitSoon('messages.changed', { sessionId, messageIds: [assistant.id], source: 'local' });
    this.emitSoon('chat.started', { sessionId, messageId: assistant.id });
    return assistant;
  }

  private withoutKey(p: ProviderConfig): ProviderConfig {
    return { ...p, hasApiKey: this.apiKeys.has(p.id) };
  }

  private patchSession(id: string, patch: Partial<Session>): Session {
    const session = this.sessions.get(id);
    if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
    const updated: Session = { ...session, ...patch, updatedAt: tick() };
    this.sessions.set(id, updated);
    this.emitSoon('sessions.changed', { ids: [id], source: 'local' });
    return updated;
  }

  summary(session: Session): SessionSummary {
    const last = session.currentLeafId ? this.messages.get(session.currentLeafId) : undefined;
    return { ...session, lastMessagePreview: last?.content.slice(0, 120) ?? null, lastMessageRole: last?.role ?? null };
  }

  private readonly handlers: Handlers = {
    'sessions.create': (input) => {
      const session = this.addSession({ title: input.title ?? '' });
      this.emitSoon('sessions.changed', { ids: [session.id], source: 'local' });
      return session;
    },
    'sessions.get': ({ id }) => {
      const session = this.sessions.get(id);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      return this.summary(session);
    },
    'sessions.list': ({ view, tag, limit, cursor }) => {
      const all = [...this.sessions.values()]
        .filter((s) => (view === 'trash' ? s.deletedAt !== null : s.deletedAt === null && s.status === view))
        .filter((s) => tag === undefined || s.tags.includes(tag))
        .sort(
          (a, b) =>
            Number(b.pinned) - Number(a.pinned) ||
            b.lastActivityAt.localeCompare(a.lastActivityAt) ||
            b.id.localeCompare(a.id),
        );
      const start = cursor ? Number(cursor) : 0;
      const items = all.slice(start, start + limit).map((s) => this.summary(s));
      return { items, nextCursor: start + limit < all.length ? String(start + limit) : null };
    },
    'sessions.rename': ({ id, title }) => this.patchSession(id, { title }),
    'sessions.setPinned': ({ id, pinned }) => this.patchSession(id, { pinned }),
    'sessions.setArchived': ({ id, archived }) => this.patchSession(id, { status: archived ? 'archived' : 'active' }),
    'sessions.trash': ({ id }) => this.patchSession(id, { deletedAt: tick() }),
    'sessions.restore': ({ id }) => this.patchSession(id, { deletedAt: null }),
    'sessions.purge': ({ id }) => {
      if (!this.sessions.delete(id)) throw new ConfabError('not_found', 'That chat no longer exists.');
      this.emitSoon('sessions.changed', { ids: [id], source: 'local' });
      return { purged: 1 };
    },
    'sessions.emptyTrash': () => {
      const ids = [...this.sessions.values()].filter((s) => s.deletedAt !== null).map((s) => s.id);
      for (const id of ids) this.sessions.delete(id);
      this.emitSoon('sessions.changed', { ids, source: 'local' });
      return { purged: ids.length };
    },
    'sessions.tags': () => {
      const counts = new Map<string, number>();
      for (const s of this.sessions.values()) {
        if (s.deletedAt === null) for (const t of s.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      return [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => a.tag.localeCompare(b.tag));
    },
    'messages.listBranch': ({ sessionId, cursor, limit }) => {
      const session = this.sessions.get(sessionId);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      const items = this.branchTo(cursor ?? session.currentLeafId).slice(-limit);
      const oldest = items[0];
      return { items, nextCursor: oldest?.parentId && items.length === limit ? oldest.parentId : null };
    },
    'messages.locate': ({ messageId, limit }) => {
      const target = this.messages.get(messageId);
      if (!target || target.deletedAt) throw new ConfabError('not_found', 'That message no longer exists.');
      const session = this.sessions.get(target.sessionId)!;
      let leafId = session.currentLeafId;
      let branchChanged = false;
      if (!this.branchTo(leafId).some((m) => m.id === messageId)) {
        leafId = this.newestLeafUnder(messageId);
        branchChanged = true;
        this.sessions.set(session.id, { ...session, currentLeafId: leafId });
        this.emitSoon('messages.changed', { sessionId: session.id, messageIds: [], source: 'local' });
        this.emitSoon('sessions.changed', { ids: [session.id], source: 'local' });
      }
      const path = this.branchTo(leafId);
      const at = path.findIndex((m) => m.id === messageId);
      const olderCount = Math.max(1, Math.ceil(limit / 2));
      const from = Math.max(0, at + 1 - olderCount);
      const items = path.slice(from, at + 1 + (limit - olderCount));
      const newest = items.at(-1);
      return {
        sessionId: session.id,
        messageId,
        leafId: leafId!,
        branchChanged,
        items,
        olderCursor: from > 0 ? path[from - 1]!.id : null,
        newerCursor: newest && newest.id !== leafId ? newest.id : null,
      };
    },
    'messages.listNewer': ({ sessionId, after, limit }) => {
      const session = this.sessions.get(sessionId);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      const path = this.branchTo(session.currentLeafId);
      const at = after === null ? -1 : path.findIndex((m) => m.id === after);
      if (after !== null && at < 0)
        throw new ConfabError('conflict', 'That message is no longer on the branch this chat shows.');
      const items = path.slice(at + 1, at + 1 + limit);
      const newest = items.at(-1);
      return { items, nextCursor: newest && newest.id !== session.currentLeafId ? newest.id : null };
    },
    'search.inSession': ({ sessionId, q, limit }) => {
      const session = this.sessions.get(sessionId);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      const needle = q.trim();
      if (!needle) return { hits: [], truncated: false, tookMs: 0 };
      const all = this.branchTo(session.currentLeafId).filter((m) => !m.deletedAt && includesText(m.content, needle));
      return {
        hits: all.slice(0, limit).map((m) => ({
          messageId: m.id,
          role: m.role,
          snippet: fakeSnippet(m.content, needle),
          createdAt: m.createdAt,
        })),
        truncated: all.length > limit,
        tookMs: 1,
      };
    },
    'search.query': ({ q, view, role, limit }) => {
      const needle = q.trim();
      if (!needle) return { hits: [], tookMs: 0 };
      const inView = (s: Session) =>
        view === 'trash' ? s.deletedAt !== null : s.deletedAt === null && (view === 'all' || s.status === view);
      const sessionHit = (s: Session, fields: Partial<SearchHit>): SearchHit => ({
        kind: 'session',
        sessionId: s.id,
        sessionTitle: s.title,
        sessionStatus: s.status,
        sessionDeleted: s.deletedAt !== null,
        messageId: null,
        role: null,
        snippet: fakeSnippet(s.title, needle),
        createdAt: s.lastActivityAt,
        rank: 1,
        ...fields,
      });
      const titles = role
        ? []
        : [...this.sessions.values()]
            .filter((s) => inView(s) && includesText(s.title, needle))
            .map((s) => sessionHit(s, {}));
      const messages = [...this.messages.values()]
        .filter((m) => !m.deletedAt && includesText(m.content, needle) && (!role || m.role === role))
        .filter((m) => inView(this.sessions.get(m.sessionId)!))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, limit)
        .map((m) =>
          sessionHit(this.sessions.get(m.sessionId)!, {
            kind: 'message',
            messageId: m.id,
            role: m.role,
            snippet: fakeSnippet(m.content, needle),
            createdAt: m.createdAt,
            rank: 0.5,
          }),
        );
      return { hits: [...titles, ...messages], tookMs: 1 };
    },
    'messages.siblings': ({ messageId }) => this.siblingsOf(messageId),
    // Simpler than main (no fallback to a sibling branch): enough for the view's behaviour.
    'messages.delete': ({ messageId }) => this.setSubtreeDeleted(messageId, tick()),
    'messages.restore': ({ messageId }) => this.setSubtreeDeleted(messageId, null),
    'sessions.update': ({ id, ...patch }) => {
      const session = this.sessions.get(id);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const updated: Session = { ...session, ...defined, updatedAt: tick() };
      this.sessions.set(id, updated);
      this.emitSoon('sessions.changed', { ids: [id], source: 'local' });
      return updated;
    },
    'sessions.setCurrentLeaf': ({ sessionId, messageId }) => {
      const session = this.sessions.get(sessionId);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      // Like main: the newest continuation under the chosen message.
      let leaf = messageId;
      for (;;) {
        const children = [...this.messages.values()]
          .filter((m) => m.parentId === leaf && !m.deletedAt)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
        if (!children[0]) break;
        leaf = children[0].id;
      }
      const updated = { ...session, currentLeafId: leaf };
      this.sessions.set(sessionId, updated);
      this.emitSoon('messages.changed', { sessionId, messageIds: [], source: 'local' });
      this.emitSoon('sessions.changed', { ids: [sessionId], source: 'local' });
      return updated;
    },

    'chat.send': ({ sessionId, content, parentId }) => {
      if (this.active.has(sessionId)) {
        throw new ConfabError(
          'conflict',
          'This chat is still writing a reply. Wait for it to finish, or stop it first.',
        );
      }
      const userMessage = this.addMessage(sessionId, 'user', content, parentId === undefined ? {} : { parentId });
      const assistantMessage = this.startReply(sessionId, userMessage.id);
      this.emitSoon('sessions.changed', { ids: [sessionId], source: 'local' });
      return { userMessage, assistantMessage, runId: uuidv7() };
    },
    'chat.stop': ({ sessionId }) => {
      const messageId = this.active.get(sessionId);
      if (!messageId) return { stopped: false };
      setTimeout(() => this.finishReply(messageId, { status: 'cancelled' }), 0);
      return { stopped: true };
    },
    'chat.regenerate': ({ messageId }) => {
      const m = this.messages.get(messageId);
      if (!m) throw new ConfabError('not_found', 'That message no longer exists.');
      if (m.role !== 'assistant' || !m.parentId)
        throw new ConfabError('invalid_input', 'Only a reply can be generated again.');
      return { assistantMessage: this.startReply(m.sessionId, m.parentId), runId: uuidv7() };
    },
    'chat.edit': ({ messageId, content }) => {
      const m = this.messages.get(messageId);
      if (!m) throw new ConfabError('not_found', 'That message no longer exists.');
      if (m.role !== 'user') throw new ConfabError('invalid_input', 'Only your own messages can be edited.');
      if (this.active.has(m.sessionId)) {
        throw new ConfabError(
          'conflict',
          'This chat is still writing a reply. Wait for it to finish, or stop it first.',
        );
      }
      const userMessage = this.addMessage(m.sessionId, 'user', content, { parentId: m.parentId });
      const assistantMessage = this.startReply(m.sessionId, userMessage.id);
      return { userMessage, assistantMessage, runId: uuidv7() };
    },
    'chat.active': () => ({ sessionIds: [...this.active.keys()] }),

    'providers.presets': () => FAKE_PRESETS,
    'providers.list': () => [...this.providers.values()].map((p) => this.withoutKey(p)),
    'providers.create': ({ apiKey, ...input }) => {
      const preset = FAKE_PRESETS.find((p) => p.preset === input.preset)!;
      const baseUrl = input.baseUrl ?? preset.baseUrl;
      if (!baseUrl) throw new ConfabError('invalid_input', 'Enter the address of the server.');
      const created = this.addProvider(
        {
          preset: input.preset,
          kind: preset.kind,
          name: input.name ?? preset.label,
          baseUrl,
          defaultModel: input.defaultModel ?? null,
          models: input.models ?? [],
          contextBudget: input.contextBudget ?? null,
          isLocal: preset.isLocal,
        },
        apiKey,
      );
      return this.withoutKey(created);
    },
    'providers.update': ({ id, apiKey, ...patch }) => {
      const p = this.providers.get(id);
      if (!p) throw new ConfabError('not_found', 'That provider is no longer set up.');
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const updated = { ...p, ...defined, updatedAt: tick() };
      this.providers.set(id, updated);
      if (apiKey === null) this.apiKeys.delete(id);
      else if (apiKey !== undefined) this.apiKeys.set(id, apiKey);
      return this.withoutKey(updated);
    },
    'providers.delete': ({ id }) => {
      const deleted = this.providers.delete(id);
      this.apiKeys.delete(id);
      if (this.chatSettings.defaultProviderId === id) {
        this.chatSettings = { ...this.chatSettings, defaultProviderId: null, defaultModel: null };
      }
      return { deleted };
    },
    'providers.models': ({ id }) => {
      const p = this.providers.get(id);
      if (!p) throw new ConfabError('not_found', 'That provider is no longer set up.');
      const listed = this.serverModels.get(id);
      if (!listed) return { models: p.models, source: 'manual' as const, error: `Confab could not reach ${p.name}.` };
      return { models: [...new Set([...listed, ...p.models])], source: 'provider' as const, error: null };
    },
    'providers.detectLocal': () => this.detectedLocal,
    'settings.getChat': () => this.chatSettings,
    'settings.setChat': (patch) => {
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      this.chatSettings = { ...this.chatSettings, ...defined };
      return this.chatSettings;
    },

    'ui.get': ({ key }) => (this.uiState.has(key) ? structuredClone(this.uiState.get(key)) : null),
    'ui.set': ({ key, value }) => {
      this.uiState.set(key, structuredClone(value));
      return null;
    },
  };

  private emitSoon<E extends EventName>(event: E, payload: EventMap[E]): void {
    setTimeout(() => this.emit(event, payload), 0);
  }

  private async invoke(method: MethodName, raw: unknown): Promise<Envelope<unknown>> {
    this.calls.push({ method, input: raw });
    const gate = this.gates.get(method)?.shift();
    if (gate) await gate;
    await Promise.resolve(); // never answer synchronously, like a real process boundary
    try {
      const failure = this.failures.get(method)?.shift();
      if (failure) throw failure;
      const parsed = contract[method].input.safeParse(raw);
      if (!parsed.success) throw new ConfabError('invalid_input', `Bad input for ${method}: ${parsed.error.message}`);
      const handler = (this.handlers[method] ??
        (this.usage.handlers as Handlers)[method] ??
        (this.recovery.handlers as Handlers)[method]) as ((input: unknown) => unknown) | undefined;
      if (!handler) throw new ConfabError('unknown_method', `The fake API does not implement ${method}.`);
      return { ok: true, value: structuredClone(handler(parsed.data)) };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  }
}
