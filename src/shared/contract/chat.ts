import { z } from 'zod';
import type { Message, MessageStatus } from '../types';
import { empty, id, messageText } from './fields';
import { event, method } from './spec';
import { attachmentIds } from './attachments';

export const chatMethods = {
  /**
   * Saves the user's message and starts the reply, which streams as chat.* events; returns once
   * both messages exist. A chat answers one message at a time ('conflict' while it is busy).
   */
  'chat.send': method<{ userMessage: Message; assistantMessage: Message; runId: string }>()(
    z
      .object({
        sessionId: id,
        content: messageText,
        /** Omitted: under the session's current leaf. Null: a new root. */
        parentId: id.nullable().optional(),
        /** Drafts from the composer (attachments.uploadFinish), bound to the new message. */
        attachmentIds: attachmentIds.optional(),
      })
      .strict(),
  ),
  /** Stops the chat's reply, keeping the text so far; resolves once it is saved. */
  'chat.stop': method<{ stopped: boolean }>()(z.object({ sessionId: id }).strict()),
  /** A new answer to the same question, as a sibling of this assistant message. */
  'chat.regenerate': method<{ assistantMessage: Message; runId: string }>()(z.object({ messageId: id }).strict()),
  /** A changed copy of this user message, as its sibling, and a new answer to it. */
  'chat.edit': method<{ userMessage: Message; assistantMessage: Message; runId: string }>()(
    z.object({ messageId: id, content: messageText }).strict(),
  ),
  'chat.active': method<{ sessionIds: string[] }>()(empty),
};

/** A reply's life: not database changes, so they carry no source. */
export const chatEvents = {
  /** A reply began streaming into this (assistant) message. */
  'chat.started': event<{ sessionId: string; messageId: string }>(),
  /** `text` (and `reasoning`) are the new pieces only; append each to what came before. */
  'chat.delta': event<{ sessionId: string; messageId: string; text: string; reasoning?: string }>(),
  /** The reply ended; the message in the DB is final (status 'complete', 'error', 'cancelled' or 'interrupted'). */
  'chat.done': event<{
    sessionId: string;
    messageId: string;
    status: MessageStatus;
    errorCode: string | null;
    errorMessage: string | null;
  }>(),
};
