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
import type { BranchMessage, Message, MessageRole, Session, SessionSummary } from '@shared/types';

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

export class FakeConfab {
  readonly sessions = new Map<string, Session>();
  readonly messages = new Map<string, Message>();
  readonly uiState = new Map<string, unknown>();
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

  addMessage(sessionId: string, role: MessageRole, content: string): Message {
    const session = this.sessions.get(sessionId);
    if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
    const parent = session.currentLeafId ? this.messages.get(session.currentLeafId) : undefined;
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
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
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

  summary(session: Session): SessionSummary {
    const last = session.currentLeafId ? this.messages.get(session.currentLeafId) : undefined;
    return { ...session, lastMessagePreview: last?.content.slice(0, 120) ?? null, lastMessageRole: last?.role ?? null };
  }

  private readonly handlers: Handlers = {
    'sessions.create': (input) => {
      const session = this.addSession({ title: input.title ?? '' });
      this.emitSoon('sessions.changed', { ids: [session.id] });
      return session;
    },
    'sessions.get': ({ id }) => {
      const session = this.sessions.get(id);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      return this.summary(session);
    },
    'sessions.list': ({ view, limit, cursor }) => {
      const all = [...this.sessions.values()]
        .filter((s) => (view === 'trash' ? s.deletedAt !== null : s.deletedAt === null && s.status === view))
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
    'messages.append': (input) => {
      const message = this.addMessage(input.sessionId, input.role, input.content);
      this.emitSoon('messages.changed', { sessionId: input.sessionId, messageIds: [message.id] });
      this.emitSoon('sessions.changed', { ids: [input.sessionId] });
      return message;
    },
    'messages.listBranch': ({ sessionId, cursor, limit }) => {
      const session = this.sessions.get(sessionId);
      if (!session) throw new ConfabError('not_found', 'That chat no longer exists.');
      const path: BranchMessage[] = [];
      let id = cursor ?? session.currentLeafId;
      while (id) {
        const m = this.messages.get(id);
        if (!m) break;
        path.unshift({ ...m, siblingCount: 1, siblingIndex: 0 });
        id = m.parentId;
      }
      const items = path.slice(-limit);
      const oldest = items[0];
      return { items, nextCursor: oldest?.parentId && items.length === limit ? oldest.parentId : null };
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
      const handler = this.handlers[method] as ((input: unknown) => unknown) | undefined;
      if (!handler) throw new ConfabError('unknown_method', `The fake API does not implement ${method}.`);
      return { ok: true, value: structuredClone(handler(parsed.data)) };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  }
}
