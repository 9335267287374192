/** The worker's messages.* methods: the contract's, plus the writes the chat engine and tests use. */
import type { ParsedInput } from '@shared/contract';
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as deletion from './deletion';
import * as messages from './repository';
import { refuseUnlessOwnMessage, refuseUnlessOwnSession } from '../sync/readOnly';

export const messagesService = (ctx: RepoContext) => ({
  'messages.listBranch': reader((i: ParsedInput<'messages.listBranch'>) => messages.listBranch(ctx, i)),
  'messages.path': reader((i: ParsedInput<'messages.path'>) => messages.pathToMessage(ctx, i.messageId)),
  'messages.siblings': reader((i: ParsedInput<'messages.siblings'>) => messages.siblingsOf(ctx, i.messageId)),
  'messages.delete': async (i: ParsedInput<'messages.delete'>) => {
    await refuseUnlessOwnMessage(ctx, i.messageId);
    return deletion.deleteMessageSubtree(ctx, i.messageId);
  },
  'messages.restore': async (i: ParsedInput<'messages.restore'>) => {
    await refuseUnlessOwnMessage(ctx, i.messageId);
    return deletion.restoreMessageSubtree(ctx, i.messageId);
  },
  'messages.locate': (i: ParsedInput<'messages.locate'>) => messages.locateMessage(ctx, i),
  'messages.listNewer': reader((i: ParsedInput<'messages.listNewer'>) => messages.listNewer(ctx, i)),

  // Not in the contract: the chat engine's writes and reads, and tests' fixtures.
  'messages.get': reader((i: { id: string }) => messages.getMessage(ctx, i.id)),
  /** Any role at any place in the tree: for tests and the seed only, never for a view. */
  'messages.append': async (i: messages.AppendMessageInput) => {
    await refuseUnlessOwnSession(ctx, i.sessionId);
    return messages.appendMessage(ctx, i);
  },
  'messages.updateStreaming': (i: { id: string; content: string; reasoning?: string }) =>
    messages.updateStreamingContent(ctx, i.id, i.content, i.reasoning),
  'messages.finalise': (i: messages.FinaliseMessageInput) => messages.finaliseMessage(ctx, i),
  'messages.newestLeafUnder': reader((i: { messageId: string }) => messages.newestLeafUnder(ctx, i.messageId)),
});
