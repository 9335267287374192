/**
 * Titling: after a chat's first exchange, the model names it in the background (a run of its
 * own: it costs tokens), else the question's first words do. A title is a nicety: failing to set
 * one leaves the chat untitled, nothing more.
 */
import type { DbClient } from '../db/client';
import type { ProviderToolkit } from '../providers/toolkit';
import type { Target } from '../providers/target';
import type { ChatSettingsStore } from '../settings/chatSettings';
import { describeReplyError, errorSubject, toProviderError } from './errors';
import type { Outcome, ReplyJob } from './runRecorder';
import { cleanTitle, fallbackTitle, titlePrompt, TITLE_MAX_OUTPUT_TOKENS } from './title';
import { estimateTokens } from './tokens';

export interface TitlerDeps {
  db: DbClient;
  settings: ChatSettingsStore;
  toolkit: ProviderToolkit;
  timeoutMs: number;
}

export class Titler {
  private readonly tasks = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: TitlerDeps) {}

  /** Names an untitled chat in the background; the reply is already final and the chat free. */
  start(job: ReplyJob, status: Outcome['status']): void {
    const sessionId = job.session.id;
    if (this.tasks.has(sessionId)) return;
    const controller = new AbortController();
    const done = this.title(job, status, controller.signal)
      .catch(() => {})
      .finally(() => this.tasks.delete(sessionId));
    this.tasks.set(sessionId, { controller, done });
  }

  async shutdown(): Promise<void> {
    const tasks = [...this.tasks.values()];
    for (const task of tasks) task.controller.abort();
    await Promise.all(tasks.map((t) => t.done));
  }

  private async title(job: ReplyJob, status: Outcome['status'], signal: AbortSignal): Promise<void> {
    const { db } = this.deps;
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
    await db.call('sessions.setTitleIfEmpty', { id: sessionId, title });
  }

  /** The model's title, or '' when it fails; recorded as a run of its own. */
  private async askForTitle(
    job: ReplyJob,
    target: Extract<Target, { ok: true }>,
    question: string,
    answer: string,
    stop: AbortSignal,
  ): Promise<string> {
    const { timeoutMs } = this.deps;
    const signal = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
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
        idleTimeoutMs: timeoutMs,
      });
      for await (const event of stream) {
        if (event.type === 'usage') usage = { tokensIn: event.tokensIn, tokensOut: event.tokensOut };
        else if (event.type !== 'tool_call') {
          firstAt ??= performance.now();
          text += event.text;
        }
      }
    } catch (err) {
      const error = toProviderError(err);
      const code = error.code === 'cancelled' ? 'timeout' : error.code;
      const subject = errorSubject(target.config, target.model, target.connection.apiKey, timeoutMs);
      failure = { code, message: describeReplyError(code, subject, error) };
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
