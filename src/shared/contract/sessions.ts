import { z } from 'zod';
import type { ChangeSource } from '../changes';
import { SESSION_DESCRIPTION_MAX_CHARS, SESSION_TITLE_MAX_CHARS } from '../limits';
import type { Page, Session, SessionSummary } from '../types';
import { chatParams, empty, id, limit, storedJson, systemPrompt } from './fields';
import { event, method } from './spec';

const title = z.string().max(SESSION_TITLE_MAX_CHARS);
const tag = z.string().trim().min(1).max(64);

export const sessionsMethods = {
  'sessions.create': method<Session>()(
    z
      .object({
        title: title.optional(),
        providerId: z.string().max(200).nullable().optional(),
        model: z.string().max(200).nullable().optional(),
        systemPrompt: systemPrompt.optional(),
        tags: z.array(tag).max(32).optional(),
      })
      .strict(),
  ),
  'sessions.get': method<SessionSummary>()(z.object({ id }).strict()),
  'sessions.list': method<Page<SessionSummary>>()(
    z
      .object({
        view: z.enum(['active', 'archived', 'trash']).default('active'),
        tag: tag.optional(),
        limit: limit(500, 100),
        cursor: z.string().max(200).nullable().optional(),
      })
      .strict(),
  ),
  'sessions.rename': method<Session>()(z.object({ id, title }).strict()),
  'sessions.update': method<Session>()(
    z
      .object({
        id,
        description: z.string().max(SESSION_DESCRIPTION_MAX_CHARS).optional(),
        tags: z.array(tag).max(32).optional(),
        systemPrompt: systemPrompt.optional(),
        providerId: z.string().max(200).nullable().optional(),
        model: z.string().max(200).nullable().optional(),
        settings: storedJson(z.record(z.string(), z.unknown())).optional(),
        /** Merged into the chat's parameters; a null field clears it. */
        params: chatParams.optional(),
      })
      .strict(),
  ),
  'sessions.setPinned': method<Session>()(z.object({ id, pinned: z.boolean() }).strict()),
  'sessions.setArchived': method<Session>()(z.object({ id, archived: z.boolean() }).strict()),
  'sessions.trash': method<Session>()(z.object({ id }).strict()),
  'sessions.restore': method<Session>()(z.object({ id }).strict()),
  'sessions.purge': method<{ purged: number }>()(z.object({ id }).strict()),
  'sessions.emptyTrash': method<{ purged: number }>()(empty),
  'sessions.tags': method<{ tag: string; count: number }[]>()(empty),
  'sessions.setCurrentLeaf': method<Session>()(z.object({ sessionId: id, messageId: id }).strict()),
};

export const sessionsEvents = {
  /** These chats were created, changed or removed; an empty list means "reload the lists". */
  'sessions.changed': event<{ ids: string[]; source: ChangeSource }>(),
};
