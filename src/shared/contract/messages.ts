import { z } from 'zod';
import type { ChangeSource } from '../changes';
import type { BranchMessage, Message, MessageDeletion, MessageWindow, Page } from '../types';
import { id, limit } from './fields';
import { event, method } from './spec';

export const messagesMethods = {
  'messages.listBranch': method<Page<BranchMessage>>()(
    z
      .object({
        sessionId: id,
        /** The leaf of the branch; defaults to the session's current leaf. */
        leafId: id.optional(),
        /** Cursor from a previous page: returns the older messages before it. */
        cursor: z.string().max(200).nullable().optional(),
        limit: limit(500, 50),
      })
      .strict(),
  ),
  'messages.path': method<BranchMessage[]>()(z.object({ messageId: id }).strict()),
  'messages.siblings': method<Message[]>()(z.object({ messageId: id }).strict()),
  /** Hides the message and everything that follows from it (tombstones, so Undo can bring them back). */
  'messages.delete': method<MessageDeletion>()(z.object({ messageId: id }).strict()),
  /** Undo of messages.delete, given the same message id. */
  'messages.restore': method<MessageDeletion>()(z.object({ messageId: id }).strict()),
  /**
   * The page of the message's branch around it. If the message is not on the session's current
   * branch, the newest leaf under it becomes the current leaf (as switching to it would).
   */
  'messages.locate': method<MessageWindow>()(z.object({ messageId: id, limit: limit(200, 50) }).strict()),
  /**
   * The messages below `after` on the session's current branch, oldest first (null: from the
   * root). `nextCursor` is the `after` for the next page. 'conflict' when `after` is no longer on
   * the current branch.
   */
  'messages.listNewer': method<Page<BranchMessage>>()(
    z.object({ sessionId: id, after: id.nullable(), limit: limit(500, 50) }).strict(),
  ),
};

export const messagesEvents = {
  /** Messages of this chat were added or changed; an empty list means "reload this chat". */
  'messages.changed': event<{ sessionId: string; messageIds: string[]; source: ChangeSource }>(),
};
