/**
 * The generation runner: turns chat.send / regenerate / edit into a streamed model reply that is
 * saved as it grows, finalised with usage and timings, and announced to every view.
 *
 * Runs on the main thread (network); every write goes to the DB worker by name. One reply per
 * session at a time, any number of sessions at once. A reply never throws past this class: every
 * way it can end (done, stopped, provider error, DB gone, app closing) ends in `chat.done`.
 */
import { ConfabError } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import { MESSAGE_MAX_CHARS } from '@shared/limits';
import type { Message, MessageStatus, ProviderConfig, RunStatus, SessionSummary } from '@shared/types';
import type { DbClient } from '../db/client';
import type { BeginGenerationInput } from '../db/repositories/generation';
import type { CoreEvents } from '../core/events';
import { buildContext } from './context';
import { describeReplyError, redact, toProviderError, type ErrorSubject, type ReplyErrorCode } from './errors';
import type { ProviderService } from './providerService';
import type { ChatSettingsStore } from './settings';
import { StreamingWriter } from './streamingWriter';
import { cleanTitle, fallbackTitle, titlePrompt, TITLE_MAX_OUTPUT_TOKENS } from './title';
import { estimateTokens } from './tokens';
import type { ProviderToolkit } from './toolkit';
import type { ProviderConnection } from './types';

export interface RunnerOptions {
  /** Longest time between saves of a streaming reply. */
  persistIntervalMs?: number;
  /** No data from the provider for this long ends the reply as a timeout. */
  idleTimeoutMs?: number;
  /** A 429 is retried once if the server asks to wait no longer than this. */
  rateLimitRetryCapMs?: number;
  /** The wait before that retry when the server names none. */
  rateLimitDefaultWaitMs?: number;
  titleTimeoutMs?: number;
  /** Longest reply kept; tests lower it. A message's own limit by default. */
  maxReplyChars?: number;
}

const DEFAULT_OPTIONS: Required<RunnerOptions> = {
  persistIntervalMs: 250,
  idleTimeoutMs: 120_000,
  rateLimitRetryCapMs: 20_000,
  rateLimitDefaultWaitMs: 2_000,
  titleTimeoutMs: 20_000,
  maxReplyChars: MESSAGE_MAX_CHARS,
};

export const INTERRUPTED_MESSAGE = 'Confab closed while this reply was being written.';

export interface RunnerDeps {
  db: DbClient;
  events: CoreEvents;
  providers: ProviderService;
  settings: ChatSettingsStore;
  toolkit: ProviderToolkit;
  options?: RunnerOptions;
}

type StopReason = 'user' | 'shutdown' | 'db' | 'limit';

interface Generation {
  sessionId: string;
  controller: AbortController;
  /** Resolves once the reply is final in the DB (or the DB is gone). */
  finished: Promise<void>;
  finish(): void;
}

type Target =
  | { ok: true; config: ProviderConfig; connection: ProviderConnection; model: string; budget: number }
  | { ok: false; code: ReplyErrorCode; message: string; providerId: string | null; model: string | null };

interface Job {
  session: SessionSummary;
  assistant: Message;
  /** The message being answered. */
  questionId: string;
  runId: string;
  target: Target;
}

type Outcome =
  | { status: 'complete' }
  | { status: 'cancelled' }
  | { status: 'interrupted'; dbGone: boolean }
  | { status: 'error'; code: ReplyErrorCode; message: string };

interface Timing {
  startedAt: number;
  startedIso: string;
  firstTokenAt: number | null;
  usage: { tokensIn: number; tokensOut: number } | null;
  contextTokens: number;
}

const RUN_STATUS: Record<Outcome['status'], RunStatus> = {
  complete: 'succeeded',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
  error: 'failed',
};

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class ChatRunner {
  private readonly active = new Map<string, Generation>();
  private readonly titleTasks = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly options: Required<RunnerOptions>;
  private closing = false;

  constructor(private readonly deps: RunnerDeps) {
    this.options = { ...DEFAULT_OPTIONS, ...deps.options };
  }

  activeSessionIds(): string[] {
    return [...this.active.keys()];
  }

  async send(input: { sessionId: string; content: string; parentId?: string | null }) {
    const gen = this.claim(input.sessionId);
    try {
      const began = await this.begin(gen, input.sessionId, { user: { parentId: input.parentId, content: input.content } });
      return { userMessage: began.userMessage!, assistantMessage: began.assistant, runId: began.runId };
    } catch (err) {
      this.release(gen);
      throw err;
    }
  }

  async regenerate(input: { messageId: string }) {
    const message = await this.deps.db.call('messages.get', { id: input.messageId });
    if (message.role !== 'assistant') {
      throw new ConfabError('invalid_input', 'Only a reply from the model can be generated again.');
    }
    if (!message.parentId) throw new ConfabError('invalid_input', 'This reply answers nothing, so it cannot be generated again.');
    const gen = this.claim(message.sessionId);
    try {
      const began = await this.begin(gen, message.sessionId, { answerTo: message.parentId });
      return { assistantMessage: began.assistant, runId: began.runId };
    } catch (err) {
      this.release(gen);
      throw err;
    }
  }

  async edit(input: { messageId: string; content: string }) {
    const message = await this.deps.db.call('messages.get', { id: input.messageId });
    if (message.role !== 'user') throw new ConfabError('invalid_input', 'Only your own messages can be edited.');
    const gen = this.claim(message.sessionId);
    try {
      const began = await this.begin(gen, message.sessionId, {
        user: { parentId: message.parentId, content: input.content },
      });
      return { userMessage: began.userMessage!, assistantMessage: began.assistant, runId: began.runId };
    } catch (err) {
      this.release(gen);
      throw err;
    }
  }

  /** Stops the session's reply and resolves once the partial text is saved. */
  async stop(sessionId: string): Promise<{ stopped: boolean }> {
    const gen = this.active.get(sessionId);
    if (!gen) return { stopped: false };
    gen.controller.abort('user' satisfies StopReason);
    await gen.finished;
    return { stopped: true };
  }

  /** Ends every reply as interrupted (text kept) before the DB closes. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const gens = [...this.active.values()];
    for (const gen of gens) gen.controller.abort('shutdown' satisfies StopReason);
    const titles = [...this.titleTasks.values()];
    for (const task of titles) task.controller.abort();
    await Promise.all([...gens.map((g) => g.finished), ...titles.map((t) => t.done)]);
  }

  private claim(sessionId: string): Generation {
    if (this.closing) throw new ConfabError('db_unavailable', 'Confab is closing.');
    if (this.active.has(sessionId)) {
      throw new ConfabError('conflict', 'This chat is still writing a reply. Wait for it to finish, or stop it first.');
    }
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const gen: Generation = { sessionId, controller: new AbortController(), finished, finish };
    this.active.set(sessionId, gen);
    return gen;
  }

  private release(gen: Generation): void {
    if (this.active.get(gen.sessionId) === gen) this.active.delete(gen.sessionId);
    gen.finish();
  }

  /** Writes the messages and the run, announces them, and starts the stream in the background. */
  private async begin(
    gen: Generation,
    sessionId: string,
    part: Pick<BeginGenerationInput, 'user' | 'answerTo'>,
  ): Promise<{ userMessage: Message | null; assistant: Message; runId: string }> {
    const { db, events } = this.deps;
    const session = await db.call('sessions.get', { id: sessionId });
    const target = await this.resolveTarget(session);
    const runId = uuidv7();
    const began = await db.call('generation.begin', {
      sessionId,
      ...part,
      providerId: target.ok ? target.config.id : target.providerId,
      model: target.model,
      run: target.ok ? { id: runId, providerId: target.config.id, model: target.model } : null,
    });
    const assistant = began.assistantMessage;
    const job: Job = { session, assistant, questionId: assistant.parentId!, runId, target };
    const changed = began.userMessage ? [began.userMessage.id, assistant.id] : [assistant.id];
    events.emit('messages.changed', { sessionId, messageIds: changed });
    events.emit('sessions.changed', { ids: [sessionId] });
    events.emit('chat.started', { sessionId, messageId: assistant.id });
    void this.run(gen, job).catch((err: unknown) => {
      console.error('[chat] announcing a reply failed', err instanceof Error ? err.name : typeof err);
    });
    return { userMessage: began.userMessage, assistant, runId };
  }

  /** The session's provider and model, else the defaults; failures become the reply's error. */
  private async resolveTarget(session: SessionSummary): Promise<Target> {
    const settings = await this.deps.settings.get();
    const providerId = session.providerId ?? settings.defaultProviderId;
    const fail = (code: ReplyErrorCode, message: string, model: string | null = session.model): Target => ({
      ok: false,
      code,
      message,
      providerId,
      model,
    });
    if (!providerId) return fail('no_provider', describeReplyError('no_provider', this.subject(null, '')));
    let config: ProviderConfig;
    try {
      config = await this.deps.providers.get(providerId);
    } catch (err) {
      if (err instanceof ConfabError && (err.code === 'not_found' || err.code === 'invalid_input')) {
        return fail('no_provider', 'The provider chosen for this chat is no longer set up. Choose another, then retry.');
      }
      throw err;
    }
    const model =
      session.model ??
      (providerId === settings.defaultProviderId ? settings.defaultModel : null) ??
      config.defaultModel ??
      config.models[0] ??
      null;
    if (!config.enabled) return fail('provider_disabled', describeReplyError('provider_disabled', this.subject(config, model ?? '')), model);
    if (!model) return fail('no_provider', `No model is chosen for this chat. Choose one of ${config.name}'s models, then retry.`);
    let connection: ProviderConnection;
    try {
      connection = await this.deps.providers.connection(config);
    } catch (err) {
      if (err instanceof ConfabError && err.code === 'secrets_unavailable') {
        return fail('key_unavailable', describeReplyError('key_unavailable', this.subject(config, model)), model);
      }
      throw err;
    }
    return { ok: true, config, connection, model, budget: config.contextBudget ?? settings.contextBudget };
  }

  private subject(config: ProviderConfig | null, model: string, apiKey: string | null = null): ErrorSubject {
    return {
      providerName: config?.name ?? 'The provider',
      model,
      baseUrl: config?.baseUrl ?? '',
      isLocal: config?.isLocal ?? false,
      secrets: [apiKey],
      idleTimeoutMs: this.options.idleTimeoutMs,
    };
  }

  private async run(gen: Generation, job: Job): Promise<void> {
    const { db, events } = this.deps;
    const sessionId = job.session.id;
    const messageId = job.assistant.id;
    const timing: Timing = {
      startedAt: performance.now(),
      startedIso: new Date().toISOString(),
      firstTokenAt: null,
      usage: null,
      contextTokens: 0,
    };
    const writer = new StreamingWriter(
      async (content) => {
        // False: the message stopped streaming under us (recovered by another start, or purged).
        if (!(await db.call('messages.updateStreaming', { id: messageId, content }))) gen.controller.abort('db');
      },
      this.options.persistIntervalMs,
      () => gen.controller.abort('db' satisfies StopReason),
    );
    let done: { status: MessageStatus; errorCode: string | null; errorMessage: string | null } = {
      status: 'interrupted',
      errorCode: 'interrupted',
      errorMessage: INTERRUPTED_MESSAGE,
    };
    let outcome: Outcome = { status: 'interrupted', dbGone: true };
    try {
      outcome = job.target.ok
        ? await this.stream(gen, job, job.target, writer, timing)
        : { status: 'error', code: job.target.code, message: job.target.message };
      await writer.stop();
      done = await this.finalise(job, writer.text, outcome, timing);
    } catch (err) {
      await writer.stop();
      const secret = job.target.ok ? job.target.connection.apiKey : null;
      console.error('[chat] reply failed', redact(err instanceof Error ? err.message : String(err), [secret]));
    } finally {
      this.release(gen);
      events.emit('chat.done', { sessionId, messageId, ...done });
      events.emit('messages.changed', { sessionId, messageIds: [messageId] });
      events.emit('sessions.changed', { ids: [sessionId] });
    }
    if (done.status !== 'interrupted' && !this.closing) this.startTitle(job, outcome.status);
  }

  private stopOutcome(signal: AbortSignal): Outcome {
    const reason = signal.reason as StopReason;
    if (reason === 'user') return { status: 'cancelled' };
    return { status: 'interrupted', dbGone: reason === 'db' };
  }

  private async stream(
    gen: Generation,
    job: Job,
    target: Extract<Target, { ok: true }>,
    writer: StreamingWriter,
    timing: Timing,
  ): Promise<Outcome> {
    const { db, events } = this.deps;
    const signal = gen.controller.signal;
    const sessionId = job.session.id;
    const messageId = job.assistant.id;
    let path;
    try {
      path = await db.call('messages.path', { messageId: job.questionId });
    } catch {
      return signal.aborted ? this.stopOutcome(signal) : { status: 'interrupted', dbGone: true };
    }
    const context = buildContext(path, job.session.systemPrompt, target.budget);
    timing.contextTokens = context.estimatedTokens;
    const provider = this.deps.toolkit.createProvider(target.connection);
    const subject = this.subject(target.config, target.model, target.connection.apiKey);

    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return this.stopOutcome(signal);
      try {
        const events$ = provider.stream({
          model: target.model,
          messages: context.turns,
          signal,
          idleTimeoutMs: this.options.idleTimeoutMs,
        });
        for await (const event of events$) {
          // After Stop the text saved must be what the user saw when pressing it.
          if (signal.aborted) break;
          if (event.type === 'usage') {
            timing.usage = { tokensIn: event.tokensIn, tokensOut: event.tokensOut };
          } else if (event.text) {
            timing.firstTokenAt ??= performance.now();
            // A reply is a message like any other: it stops at the same size limit, text kept.
            const room = this.options.maxReplyChars - writer.text.length;
            const piece = event.text.length > room ? event.text.slice(0, room) : event.text;
            if (piece) {
              writer.append(piece);
              events.emit('chat.delta', { sessionId, messageId, text: piece });
            }
            if (piece.length < event.text.length) {
              gen.controller.abort('limit' satisfies StopReason);
              return { status: 'error', code: 'too_long', message: describeReplyError('too_long', subject) };
            }
          }
        }
        return signal.aborted ? this.stopOutcome(signal) : { status: 'complete' };
      } catch (err) {
        if (signal.aborted) return this.stopOutcome(signal);
        const failure = toProviderError(err);
        if (failure.code === 'rate_limited' && attempt === 0 && writer.text === '') {
          const wait = failure.retryAfterMs ?? this.options.rateLimitDefaultWaitMs;
          // A server that asks for minutes will not be ready in seconds: report at once.
          if (wait <= this.options.rateLimitRetryCapMs) {
            if (await sleep(wait, signal)) continue;
            return this.stopOutcome(signal);
          }
        }
        // 'cancelled' without our abort means the connection was cut from the other side.
        const code = failure.code === 'cancelled' ? 'disconnected' : failure.code;
        return { status: 'error', code, message: describeReplyError(code, subject, failure) };
      }
    }
  }

  private async finalise(job: Job, text: string, outcome: Outcome, timing: Timing) {
    const status: MessageStatus = outcome.status;
    const errorCode = outcome.status === 'error' ? outcome.code : outcome.status === 'interrupted' ? 'interrupted' : null;
    const errorMessage =
      outcome.status === 'error' ? outcome.message : outcome.status === 'interrupted' ? INTERRUPTED_MESSAGE : null;
    const result = { status, errorCode, errorMessage };
    // With the worker gone nothing can be written; the next start marks the reply interrupted.
    if (outcome.status === 'interrupted' && outcome.dbGone) return result;

    const finishedAt = performance.now();
    const ttftMs = timing.firstTokenAt === null ? null : Math.round(timing.firstTokenAt - timing.startedAt);
    const totalMs = Math.round(finishedAt - timing.startedAt);
    let tokens: { tokensIn: number; tokensOut: number; estimated: boolean } | null = null;
    if (timing.usage) tokens = { ...timing.usage, estimated: false };
    else if (job.target.ok && (text.length > 0 || outcome.status === 'complete')) {
      tokens = { tokensIn: timing.contextTokens, tokensOut: estimateTokens(text), estimated: true };
    }
    const { db } = this.deps;
    await db.call('messages.finalise', {
      id: job.assistant.id,
      content: text,
      status: outcome.status,
      tokensIn: tokens?.tokensIn ?? null,
      tokensOut: tokens?.tokensOut ?? null,
      tokensEstimated: tokens?.estimated ?? false,
      latencyMs: ttftMs,
      errorCode,
      errorMessage,
    });
    if (job.target.ok) {
      await db.call('usage.recordRun', {
        id: job.runId,
        sessionId: job.session.id,
        messageId: job.assistant.id,
        providerId: job.target.config.id,
        model: job.target.model,
        status: RUN_STATUS[outcome.status],
        tokensIn: tokens?.tokensIn ?? 0,
        tokensOut: tokens?.tokensOut ?? 0,
        tokensEstimated: tokens?.estimated ?? false,
        ttftMs,
        totalMs,
        errorCode,
        errorMessage,
        startedAt: timing.startedIso,
        finishedAt: new Date().toISOString(),
      });
    }
    return result;
  }

  /** Names an untitled chat in the background; the reply is already final and the chat free. */
  private startTitle(job: Job, status: Outcome['status']): void {
    const sessionId = job.session.id;
    if (this.titleTasks.has(sessionId)) return;
    const controller = new AbortController();
    const done = this.title(job, status, controller.signal)
      .catch(() => {
        // A title is a nicety: failing to set one leaves the chat untitled, nothing more.
      })
      .finally(() => this.titleTasks.delete(sessionId));
    this.titleTasks.set(sessionId, { controller, done });
  }

  private async title(job: Job, status: Outcome['status'], signal: AbortSignal): Promise<void> {
    const { db, events } = this.deps;
    const sessionId = job.session.id;
    const session = await db.call('sessions.get', { id: sessionId });
    if (session.title.trim() !== '' || session.deletedAt) return;
    const path = await db.call('messages.path', { messageId: job.assistant.id });
    const question = path.find((m) => m.role === 'user');
    if (!question) return;
    const settings = await this.deps.settings.get();
    let title = '';
    if (settings.autoTitle && status === 'complete' && job.target.ok) {
      const answer = path.find((m) => m.role === 'assistant' && m.status === 'complete' && m.content.trim() !== '');
      if (answer) title = await this.askForTitle(job, job.target, question.content, answer.content, signal);
    }
    title ||= fallbackTitle(question.content);
    if (!title || signal.aborted) return;
    if (await db.call('sessions.setTitleIfEmpty', { id: sessionId, title })) {
      events.emit('sessions.changed', { ids: [sessionId] });
    }
  }

  /** The model's title, or '' when it fails; recorded as a run of its own (it costs tokens). */
  private async askForTitle(
    job: Job,
    target: Extract<Target, { ok: true }>,
    question: string,
    answer: string,
    stop: AbortSignal,
  ): Promise<string> {
    const signal = AbortSignal.any([stop, AbortSignal.timeout(this.options.titleTimeoutMs)]);
    const started = performance.now();
    const startedIso = new Date().toISOString();
    let text = '';
    let firstAt: number | null = null;
    let usage: { tokensIn: number; tokensOut: number } | null = null;
    let failure: { code: string; message: string } | null = null;
    try {
      const provider = this.deps.toolkit.createProvider(target.connection);
      const stream = provider.stream({
        model: target.model,
        messages: titlePrompt(question, answer),
        maxOutputTokens: TITLE_MAX_OUTPUT_TOKENS,
        temperature: 0.2,
        signal,
        idleTimeoutMs: this.options.titleTimeoutMs,
      });
      for await (const event of stream) {
        if (event.type === 'usage') usage = { tokensIn: event.tokensIn, tokensOut: event.tokensOut };
        else {
          firstAt ??= performance.now();
          text += event.text;
        }
      }
    } catch (err) {
      const error = toProviderError(err);
      const code = error.code === 'cancelled' ? 'timeout' : error.code;
      failure = { code, message: describeReplyError(code, this.subject(target.config, target.model, target.connection.apiKey), error) };
    }
    const title = failure ? '' : cleanTitle(text);
    await this.deps.db
      .call('usage.recordRun', {
        sessionId: job.session.id,
        messageId: null,
        providerId: target.config.id,
        model: target.model,
        status: failure ? 'failed' : 'succeeded',
        tokensIn: usage?.tokensIn ?? estimateTokens(question.slice(0, 1500) + answer.slice(0, 1500)),
        tokensOut: usage?.tokensOut ?? estimateTokens(text),
        tokensEstimated: usage === null,
        ttftMs: firstAt === null ? null : Math.round(firstAt - started),
        totalMs: Math.round(performance.now() - started),
        errorCode: failure?.code ?? null,
        errorMessage: failure?.message ?? null,
        startedAt: startedIso,
      })
      .catch(() => {});
    return title;
  }
}
