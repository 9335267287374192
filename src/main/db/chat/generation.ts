/**
 * The DB side of a model reply: the messages and the run row it starts with, written in one
 * transaction so that a crash can never leave a question without its (interrupted) answer or an
 * answer without its run.
 */
import { ConfabError } from '@shared/errors';
import type { GenerationRun, Message, Session } from '@shared/types';
import { rowToRun, rowToSession, toDbText } from '../rows';
import { sql } from '../sql';
import { appendMessage } from '../messages/repository';
import type { RepoContext } from '../context';
import { recordRun } from '../usage/runs';

export interface BeginGenerationInput {
  sessionId: string;
  /** A new user message first (send, edit); the answer then goes under it. */
  user?: { parentId?: string | null; content: string };
  /** The question being answered again (regenerate), when there is no new user message. */
  answerTo?: string;
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
    const run = input.run
      ? await recordRun(tx, {
          id: input.run.id,
          sessionId: input.sessionId,
          messageId: assistantMessage.id,
          providerId: input.run.providerId,
          model: input.run.model,
          status: 'running',
        })
      : null;
    return { userMessage, assistantMessage, run };
  });
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

/** The newest run behind a message (a message has one; a retry makes a new message). */
export async function runForMessage(ctx: RepoContext, messageId: string): Promise<GenerationRun | null> {
  const rows = await ctx.db.query(
    sql`SELECT * FROM generation_runs WHERE message_id = ${messageId} ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  return rows[0] ? rowToRun(rows[0]) : null;
}
