/** The worker's attachments.* methods: rows only; the bytes are the main thread's blob store. */
import type { ParsedInput } from '@shared/contract';
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as attachments from './repository';
import { markBytesPresent, ownBlobs } from './blobRows';
import { searchAttachments } from './search';

export const attachmentsService = (ctx: RepoContext) => ({
  'attachments.create': (i: attachments.CreateAttachmentInput) => attachments.createAttachment(ctx, i),
  'attachments.markProcessed': (i: attachments.ProcessedInput) => attachments.markProcessed(ctx, i),
  'attachments.get': reader((i: { id: string }) => attachments.getAttachment(ctx, i.id)),
  'attachments.blobOf': reader((i: { id: string }) => attachments.blobOf(ctx, i.id)),
  'attachments.list': reader((i: ParsedInput<'attachments.list'>) => attachments.listForMessages(ctx, i.messageIds)),
  'attachments.text': reader((i: ParsedInput<'attachments.text'>) => attachments.readText(ctx, i)),
  'attachments.forContext': reader((i: { messageIds: string[] }) => attachments.contextAttachments(ctx, i.messageIds)),
  'attachments.drafts': reader((i: { sessionId: string; ids: string[] }) =>
    attachments.draftsFor(ctx, i.sessionId, i.ids),
  ),
  'attachments.remove': (i: ParsedInput<'attachments.remove'>) => attachments.removeDraft(ctx, i.id),
  'attachments.ownBlobs': reader((i: { after: string | null; limit: number }) => ownBlobs(ctx, i)),
  'attachments.markBytesPresent': (i: { sha256: string }) => markBytesPresent(ctx, i),
  'attachments.search': reader((i: ParsedInput<'attachments.search'>) => searchAttachments(ctx, i)),
});
