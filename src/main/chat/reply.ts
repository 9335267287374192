/**
 * Streaming a reply: the context from the branch, the provider's stream into the writer (saved as
 * it grows) and to views as chat.delta, one retry of a 429 that asks for a short wait, and the
 * size limit of a message. Every way it ends is an Outcome, never an exception.
 */
import { effectiveChatParams } from '@shared/chatParams';
import type { Emitter } from '../kit/handlers';
import type { DbClient } from '../db/client';
import type { ProviderToolkit } from '../providers/toolkit';
import type { Target } from '../providers/target';
import { buildContext } from './context';
import { attachFiles, type AttachmentContextSource } from '../attachments/context';
import { MAX_TOOL_STEPS, type ToolSource } from '../tools/loop';
import type { ToolCall } from '../providers/types';
import { describeReplyError, errorSubject, toProviderError } from './errors';
import type { StopReason } from './generations';
import type { Outcome, ReplyJob, Timing } from './runRecorder';
import type { StreamingWriter } from './streamingWriter';

export interface ReplyOptions {
  idleTimeoutMs: number;
  rateLimitRetryCapMs: number;
  rateLimitDefaultWaitMs: number;
  maxReplyChars: number;
}

export interface ReplyDeps {
  db: DbClient;
  events: Emitter;
  toolkit: ProviderToolkit;
  options: ReplyOptions;
  attachments?: AttachmentContextSource;
  tools?: ToolSource;
}

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

export function stopOutcome(signal: AbortSignal): Outcome {
  const reason = signal.reason as StopReason;
  if (reason === 'user') return { status: 'cancelled' };
  return { status: 'interrupted', dbGone: reason === 'db' };
}

export async function streamReply(
  deps: ReplyDeps,
  job: ReplyJob,
  target: Extract<Target, { ok: true }>,
  controller: AbortController,
  writer: StreamingWriter,
  timing: Timing,
): Promise<Outcome> {
  const { db, events, options } = deps;
  const signal = controller.signal;
  const sessionId = job.session.id;
  const messageId = job.assistant.id;
  let path;
  try {
    path = await db.call('messages.path', { messageId: job.questionId });
  } catch {
    return signal.aborted ? stopOutcome(signal) : { status: 'interrupted', dbGone: true };
  }
  // Earlier replies keep the tool calls they made (an old call's result is part of the story).
  if (deps.tools) path = await deps.tools.withHistory(path);
  const context = buildContext(
    await attachFiles(deps.attachments, path, job.session.systemPrompt, target),
    job.session.systemPrompt,
    target.budget,
  );
  timing.contextTokens = context.estimatedTokens;
  const provider = deps.toolkit.createProvider(target.connection);
  const subject = errorSubject(target.config, target.model, target.connection.apiKey, options.idleTimeoutMs);
  // The chat's own sampling parameters win over the provider's defaults.
  const params = effectiveChatParams(job.session.params, target.config.params);
  // The tool loop: the model's calls run and their results go back until it answers.
  const tools = deps.tools ? await deps.tools.forChat(sessionId).catch(() => null) : null;
  let turns = context.turns;
  let toolSteps = 0;
  // Usage of earlier rounds: every round's tokens count.
  let carried: { tokensIn: number; tokensOut: number } | undefined;

  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) return stopOutcome(signal);
    try {
      const stream = provider.stream({
        model: target.model,
        messages: turns,
        signal,
        idleTimeoutMs: options.idleTimeoutMs,
        ...params,
        ...(tools ? { tools: tools.specs } : {}),
      });
      const calls: ToolCall[] = [];
      const textBefore = writer.text.length;
      for await (const event of stream) {
        // After Stop the text saved must be what the user saw when pressing it.
        if (signal.aborted) break;
        if (event.type === 'usage') {
          timing.usage = {
            tokensIn: (carried?.tokensIn ?? 0) + event.tokensIn,
            tokensOut: (carried?.tokensOut ?? 0) + event.tokensOut,
          };
        } else if (event.type === 'tool_call') {
          calls.push(event.call);
        } else if (event.type === 'reasoning') {
          timing.firstTokenAt ??= performance.now();
          // Reasoning past the limit of a message is dropped; the answer still comes.
          const piece = event.text.slice(0, Math.max(0, options.maxReplyChars - writer.reasoning.length));
          if (piece) {
            writer.appendReasoning(piece);
            events.emit('chat.delta', { sessionId, messageId, text: '', reasoning: piece });
          }
        } else if (event.text) {
          timing.firstTokenAt ??= performance.now();
          // A reply is a message like any other: it stops at the same size limit, text kept.
          const room = options.maxReplyChars - writer.text.length;
          const piece = event.text.length > room ? event.text.slice(0, room) : event.text;
          if (piece) {
            writer.append(piece);
            events.emit('chat.delta', { sessionId, messageId, text: piece });
          }
          if (piece.length < event.text.length) {
            controller.abort('limit' satisfies StopReason);
            return { status: 'error', code: 'too_long', message: describeReplyError('too_long', subject) };
          }
        }
      }
      if (!signal.aborted && tools && calls.length > 0 && toolSteps < MAX_TOOL_STEPS) {
        toolSteps++;
        carried = timing.usage ?? undefined;
        const job2 = { sessionId, messageId, runId: job.runId };
        turns = [...turns, ...(await tools.run(job2, calls, writer.text.slice(textBefore), signal))];
        // A new request with the results, not a retry of a failed one.
        attempt = -1;
        continue;
      }
      return signal.aborted ? stopOutcome(signal) : { status: 'complete' };
    } catch (err) {
      if (signal.aborted) return stopOutcome(signal);
      const failure = toProviderError(err);
      if (failure.code === 'rate_limited' && attempt === 0 && writer.text === '') {
        const wait = failure.retryAfterMs ?? options.rateLimitDefaultWaitMs;
        // A server that asks for minutes will not be ready in seconds: report at once.
        if (wait <= options.rateLimitRetryCapMs) {
          if (await sleep(wait, signal)) continue;
          return stopOutcome(signal);
        }
      }
      // 'cancelled' without our abort means the connection was cut from the other side.
      const code = failure.code === 'cancelled' ? 'disconnected' : failure.code;
      return { status: 'error', code, message: describeReplyError(code, subject, failure) };
    }
  }
}
