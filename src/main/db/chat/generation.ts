/**
 * The DB side of a model reply: the messages and the run row it starts with, written in one
 * transaction so that a crash can never leave a question without its (interrupted) answer or an
 * answer without its run.
 */
import { ConfabError } from '@shared/errors';
import type { GenerationRun, Message, Session } from '@shared/types';
import { rowToMessage, rowToRun, rowToSession, toDbText } from '../rows';
import { sql } from '../sql';
import { appendMessage } from '../messages/repository';
import type { RepoContext } from '../context';
import { recordRun } from '../usage/runs';
import { bindToMessage, copyToMessage } from '../attachments/repository';

export interface BeginGenerationInput {
  sessionId: string;
  /** A new user message first (send, edit); the answer then goes under it. */
  /** attachmentIds: drafts sent with it; filesOf: the message it edits, whose files it keeps. */
  user?: { parentId?: string | null; content: string; attachmentIds?: string[]; filesOf?: string };
  /** The question being answered again (regenerate), when there is no new user message. */
  answerTo?: string;
  /**
   * A failed reply to write again in place (Retry): the same message starts streaming anew,
   * instead of a sibling version. Its failed run stays in the usage history.
   */
  retry?: string;
  assistantId?: string;
  providerId: string | null;
  model: string | null;
  /** No run when no model call will be made (no provider set up). */
  run?: { id: string; providerId: string; model: string } | null;
}

export interface BeganGeneration {
  userMessage: Message | null;
  assistantMessage: Message;
  run: GenerationRun | null;
}

export async function beginGeneration(ctx: RepoContext, input: BeginGenerationInput): Promise<BeganGeneration> {
  return ctx.db.transaction(async (db) => {
    const tx = { ...ctx, db };
    let parentId = input.answerTo ?? null;
    let userMessage: Message | null = null;
    if (input.user) {
      userMessage = await appendMessage(tx, {
        sessionId: input.sessionId,
        parentId: input.user.parentId,
        role: 'user',
        content: input.user.content,
      });
      parentId = userMessage.id;
      if (input.user.attachmentIds?.length)
        await bindToMessage(tx, input.sessionId, userMessage.id, input.user.attachmentIds);
      if (input.user.filesOf) await copyToMessage(tx, input.user.filesOf, userMessage.id);
    }
    if (input.retry) {
      const assistantMessage = await restartReply(tx, input.sessionId, input.retry, input);
      const run = input.run ? await startRun(tx, input, assistantMessage.id) : null;
      return { userMessage, assistantMessage, run };
    }
    if (!parentId) throw new ConfabError('invalid_input', 'There is no question to answer.');
    const assistantMessage = await appendMessage(tx, {
      id: input.assistantId,
      sessionId: input.sessionId,
      parentId,
      role: 'assistant',
      content: '',
      status: 'streaming',
      providerId: input.providerId,
      model: input.model,
    });
    const run = input.run ? await startRun(tx, input, assistantMessage.id) : null;
    return { userMessage, assistantMessage, run };
  });
}

function startRun(tx: RepoContext, input: BeginGenerationInput, messageId: string): Promise<GenerationRun> {
  const run = input.run!;
  return recordRun(tx, {
    id: run.id,
    sessionId: input.sessionId,
    messageId,
    providerId: run.providerId,
    model: run.model,
    status: 'running',
  });
}

/** A failed reply, emptied and streaming again, and shown: it becomes the chat's current leaf. */
async function restartReply(
  tx: RepoContext,
  sessionId: string,
  messageId: string,
  target: Pick<BeginGenerationInput, 'providerId' | 'model'>,
): Promise<Message> {
  const sessions = await tx.db.query<{ deleted_at: unknown }>(
    sql`SELECT deleted_at FROM chat_sessions WHERE id = ${sessionId} FOR UPDATE`,
  );
  if (!sessions[0]) throw new ConfabError('not_found', 'That chat no longer exists.', { id: sessionId });
  if (sessions[0].deleted_at)
    throw new ConfabError('conflict', 'That chat is in the trash. Restore it to add messages.');
  const rows = await tx.db.query(sql`
    UPDATE messages
       SET content = '', status = 'streaming', provider_id = ${target.providerId}, model = ${target.model},
           tokens_in = NULL, tokens_out = NULL, tokens_estimated = false, latency_ms = NULL,
           error_code = NULL, error_message = NULL
     WHERE id = ${messageId} AND session_id = ${sessionId} AND role = 'assistant' AND deleted_at IS NULL
       AND status IN ('error', 'cancelled', 'interrupted')
     RETURNING *`);
  if (!rows[0]) throw new ConfabError('conflict', 'That reply can no longer be retried in place.');
  await tx.db.query(sql`UPDATE chat_sessions SET current_leaf_id = ${messageId} WHERE id = ${sessionId}`);
  return rowToMessage(rows[0]);
}

/**
 * Sets an automatic title only while the chat is still untitled: a rename by the user that
 * lands while the title request is out wins. Null when the chat already has a title or is gone.
 */
export async function setTitleIfEmpty(ctx: RepoContext, sessionId: string, title: string): Promise<Session | null> {
  const rows = await ctx.db.query(sql`
    UPDATE chat_sessions SET title = ${toDbText(title).trim().slice(0, 500)}
     WHERE id = ${sessionId} AND title = '' AND deleted_at IS NULL
     RETURNING *`);
  return rows[0] ? rowToSession(rows[0]) : null;
}

/** The newest run behind a message (a retry in place adds runs to the same message). */
export async function runForMessage(ctx: RepoContext, messageId: string): Promise<GenerationRun | null> {
  const rows = await ctx.db.query(
    sql`SELECT * FROM generation_runs WHERE message_id = ${messageId} ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  return rows[0] ? rowToRun(rows[0]) : null;
}
