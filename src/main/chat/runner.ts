/**
 * The generation runner: turns chat.send / regenerate / edit into a streamed model reply that is
 * saved as it grows, finalised with usage and timings, and announced to every view.
 *
 * A pipeline of small parts, so tools and attachments can extend it later: claims and lifecycle
 * (generations.ts), target resolution (providers/target.ts), streaming with the 429 retry
 * (reply.ts), the run recorder (runRecorder.ts) and titling (titler.ts). Send, regenerate and
 * edit are one start path. Runs on the main thread (network); every write goes to the DB worker
 * by name, and the change feed announces what each write changed. A reply never throws past
 * this class: every way it can end (done, stopped, provider error, DB gone, app closing) ends in
 * `chat.done`.
 */
import { ConfabError } from '@shared/errors';
import { isFailedReply } from '@shared/turns';
import { uuidv7 } from '@shared/ids';
import { MESSAGE_MAX_CHARS } from '@shared/limits';
import type { Message } from '@shared/types';
import type { DbClient } from '../db/client';
import type { BeginGenerationInput } from '../db/chat/generation';
import type { Emitter } from '../kit/handlers';
import type { ProviderService } from '../providers/service';
import { resolveTarget } from '../providers/target';
import type { ProviderToolkit } from '../providers/toolkit';
import type { ChatSettingsStore } from '../settings/chatSettings';
import { redact } from './errors';
import { Generations, type Generation, type StopReason } from './generations';
import { streamReply, type ReplyOptions } from './reply';
import {
  INTERRUPTED_DONE,
  recordOutcome,
  startTiming,
  type DoneState,
  type Outcome,
  type ReplyJob,
} from './runRecorder';
import { StreamingWriter } from './streamingWriter';
import { Titler } from './titler';
import { checkDraftsSendable, type AttachmentContextSource } from '../attachments/context';
import type { ToolSource } from '../tools/loop';

export { INTERRUPTED_MESSAGE } from './runRecorder';

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

export interface RunnerDeps {
  db: DbClient;
  events: Emitter;
  providers: ProviderService;
  settings: ChatSettingsStore;
  toolkit: ProviderToolkit;
  options?: RunnerOptions;
  /** Files on messages: checked before a send, sent with the context. */
  attachments?: AttachmentContextSource;
  /** MCP tools the model may call (the tool loop). */
  tools?: ToolSource;
}

/** What a turn writes before its reply streams: a new question, a new answer, or a failed one again. */
type TurnStart = Pick<BeginGenerationInput, 'user' | 'answerTo' | 'retry'>;

export class ChatRunner {
  private readonly generations = new Generations();
  private readonly options: Required<RunnerOptions>;
  private readonly titler: Titler;
  private readonly replyOptions: ReplyOptions;

  constructor(private readonly deps: RunnerDeps) {
    this.options = { ...DEFAULT_OPTIONS, ...deps.options };
    this.replyOptions = {
      idleTimeoutMs: this.options.idleTimeoutMs,
      rateLimitRetryCapMs: this.options.rateLimitRetryCapMs,
      rateLimitDefaultWaitMs: this.options.rateLimitDefaultWaitMs,
      maxReplyChars: this.options.maxReplyChars,
    };
    this.titler = new Titler({
      db: deps.db,
      settings: deps.settings,
      toolkit: deps.toolkit,
      timeoutMs: this.options.titleTimeoutMs,
    });
  }

  activeSessionIds(): string[] {
    return this.generations.sessionIds();
  }

  async send(input: { sessionId: string; content: string; parentId?: string | null; attachmentIds?: string[] }) {
    const user = { parentId: input.parentId, content: input.content, attachmentIds: input.attachmentIds };
    const began = await this.start(input.sessionId, { user });
    return { userMessage: began.userMessage!, assistantMessage: began.assistant, runId: began.runId };
  }

  async regenerate(input: { messageId: string }) {
    const message = await this.deps.db.call('messages.get', { id: input.messageId });
    if (message.role !== 'assistant') {
      throw new ConfabError('invalid_input', 'Only a reply from the model can be generated again.');
    }
    if (!message.parentId) {
      throw new ConfabError('invalid_input', 'This reply answers nothing, so it cannot be generated again.');
    }
    // Retrying a failed reply writes it again in place; regenerating a good one makes a version.
    const turn = isFailedReply(message) ? { retry: message.id } : { answerTo: message.parentId };
    const began = await this.start(message.sessionId, turn);
    return { assistantMessage: began.assistant, runId: began.runId };
  }

  async edit(input: { messageId: string; content: string }) {
    const message = await this.deps.db.call('messages.get', { id: input.messageId });
    if (message.role !== 'user') throw new ConfabError('invalid_input', 'Only your own messages can be edited.');
    // The new version keeps the edited message's files.
    const user = { parentId: message.parentId, content: input.content, filesOf: message.id };
    const began = await this.start(message.sessionId, { user });
    return { userMessage: began.userMessage!, assistantMessage: began.assistant, runId: began.runId };
  }

  /** Stops the session's reply and resolves once the partial text is saved. */
  async stop(sessionId: string): Promise<{ stopped: boolean }> {
    return { stopped: await this.generations.stop(sessionId) };
  }

  /** Ends every reply as interrupted (text kept) before the DB closes. */
  async shutdown(): Promise<void> {
    await Promise.all([this.generations.shutdown(), this.titler.shutdown()]);
  }

  /**
   * The one start path: claim the chat, resolve its target, write the turn and the run in one
   * transaction, then stream in the background. Returns once both messages exist.
   */
  private async start(
    sessionId: string,
    turn: TurnStart,
  ): Promise<{ userMessage: Message | null; assistant: Message; runId: string }> {
    const gen = this.generations.claim(sessionId);
    try {
      const { db, events } = this.deps;
      const session = await db.call('sessions.get', { id: sessionId });
      const target = await resolveTarget(session, this.deps);
      await checkDraftsSendable(db, sessionId, turn.user?.attachmentIds, target.model);
      const runId = uuidv7();
      const began = await db.call('generation.begin', {
        sessionId,
        ...turn,
        providerId: target.ok ? target.config.id : target.providerId,
        model: target.model,
        run: target.ok ? { id: runId, providerId: target.config.id, model: target.model } : null,
      });
      const assistant = began.assistantMessage;
      const job: ReplyJob = { session, assistant, questionId: assistant.parentId!, runId, target };
      events.emit('chat.started', { sessionId, messageId: assistant.id });
      void this.run(gen, job).catch((err: unknown) => {
        console.error('[chat] announcing a reply failed', err instanceof Error ? err.name : typeof err);
      });
      return { userMessage: began.userMessage, assistant, runId };
    } catch (err) {
      this.generations.release(gen);
      throw err;
    }
  }

  private async run(gen: Generation, job: ReplyJob): Promise<void> {
    const { db, events } = this.deps;
    const sessionId = job.session.id;
    const messageId = job.assistant.id;
    const timing = startTiming();
    const writer = new StreamingWriter(
      async (content, reasoning) => {
        // False: the message stopped streaming under us (recovered by another start, or purged).
        // Urgent: a save that waits behind bulk work is text lost at a crash.
        if (!(await db.call('messages.updateStreaming', { id: messageId, content, reasoning }, { priority: 'high' }))) {
          gen.controller.abort('db' satisfies StopReason);
        }
      },
      this.options.persistIntervalMs,
      () => gen.controller.abort('db' satisfies StopReason),
    );
    let done: DoneState = INTERRUPTED_DONE;
    let outcome: Outcome = { status: 'interrupted', dbGone: true };
    try {
      outcome = job.target.ok
        ? await streamReply(
            { ...this.deps, options: this.replyOptions },
            job,
            job.target,
            gen.controller,
            writer,
            timing,
          )
        : { status: 'error', code: job.target.code, message: job.target.message };
      await writer.stop();
      done = await recordOutcome(db, job, writer, outcome, timing);
    } catch (err) {
      await writer.stop();
      const secret = job.target.ok ? job.target.connection.apiKey : null;
      console.error('[chat] reply failed', redact(err instanceof Error ? err.message : String(err), [secret]));
    } finally {
      this.generations.release(gen);
      events.emit('chat.done', { sessionId, messageId, ...done });
    }
    if (done.status !== 'interrupted' && !this.generations.isClosing) this.titler.start(job, outcome.status);
  }
}
