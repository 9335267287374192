/**
 * The run recorder: a reply's timing (time to first token, total), its usage (reported by the
 * provider, else estimated and flagged), and the final writes: the message's end state and the
 * run row that usage charts read.
 */
import type { Message, MessageStatus, RunStatus, SessionSummary } from '@shared/types';
import type { DbClient } from '../db/client';
import type { Target } from '../providers/target';
import type { ReplyErrorCode } from './errors';
import { estimateTokens } from './tokens';

export const INTERRUPTED_MESSAGE = 'Confab closed while this reply was being written.';

/** One reply being written. */
export interface ReplyJob {
  session: SessionSummary;
  assistant: Message;
  /** The message being answered. */
  questionId: string;
  runId: string;
  target: Target;
}

export type Outcome =
  | { status: 'complete' }
  | { status: 'cancelled' }
  | { status: 'interrupted'; dbGone: boolean }
  | { status: 'error'; code: ReplyErrorCode; message: string };

export interface Timing {
  startedAt: number;
  startedIso: string;
  firstTokenAt: number | null;
  usage: { tokensIn: number; tokensOut: number } | null;
  contextTokens: number;
}

export interface DoneState {
  status: MessageStatus;
  errorCode: string | null;
  errorMessage: string | null;
}

const RUN_STATUS: Record<Outcome['status'], RunStatus> = {
  complete: 'succeeded',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
  error: 'failed',
};

export function startTiming(): Timing {
  return {
    startedAt: performance.now(),
    startedIso: new Date().toISOString(),
    firstTokenAt: null,
    usage: null,
    contextTokens: 0,
  };
}

/** What chat.done says when nothing could be written (the database went away). */
export const INTERRUPTED_DONE: DoneState = {
  status: 'interrupted',
  errorCode: 'interrupted',
  errorMessage: INTERRUPTED_MESSAGE,
};

/** Writes the reply's end state and its run; returns what chat.done announces. */
export async function recordOutcome(
  db: DbClient,
  job: ReplyJob,
  reply: { text: string; reasoning: string },
  outcome: Outcome,
  timing: Timing,
): Promise<DoneState> {
  const { text, reasoning } = reply;
  const status: MessageStatus = outcome.status;
  const errorCode = outcome.status === 'error' ? outcome.code : outcome.status === 'interrupted' ? 'interrupted' : null;
  const errorMessage =
    outcome.status === 'error' ? outcome.message : outcome.status === 'interrupted' ? INTERRUPTED_MESSAGE : null;
  const done = { status, errorCode, errorMessage };
  // With the worker gone nothing can be written; the next start marks the reply interrupted.
  if (outcome.status === 'interrupted' && outcome.dbGone) return done;

  const ttftMs = timing.firstTokenAt === null ? null : Math.round(timing.firstTokenAt - timing.startedAt);
  const totalMs = Math.round(performance.now() - timing.startedAt);
  let tokens: { tokensIn: number; tokensOut: number; estimated: boolean } | null = null;
  if (timing.usage) tokens = { ...timing.usage, estimated: false };
  else if (job.target.ok && (text.length > 0 || outcome.status === 'complete')) {
    tokens = { tokensIn: timing.contextTokens, tokensOut: estimateTokens(text), estimated: true };
  }
  // Urgent: a reply's end must not wait behind bulk work (the crash window is the queue wait).
  await db.call(
    'messages.finalise',
    {
      id: job.assistant.id,
      content: text,
      reasoning,
      status: outcome.status,
      tokensIn: tokens?.tokensIn ?? null,
      tokensOut: tokens?.tokensOut ?? null,
      tokensEstimated: tokens?.estimated ?? false,
      latencyMs: ttftMs,
      errorCode,
      errorMessage,
    },
    { priority: 'high' },
  );
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
  return done;
}
