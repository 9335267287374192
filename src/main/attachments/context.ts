/**
 * Files in what the model is sent. Images become image parts of their turn, for models that read
 * images; documents become their text, with the file name, inside their message's turn. Document
 * text counts in the context budget: what does not fit is cut, newest messages' files first, and
 * the model is told so in the text (a visible note, never a silent cut).
 */
import { attachmentKind, imagesRefusedSentence, modelTakesImages } from '@shared/attachments';
import { ConfabError } from '@shared/errors';
import { ATTACHMENT_IMAGE_SEND_MAX_BYTES, formatLimit } from '@shared/limits';
import type { BranchMessage, Message } from '@shared/types';
import type { DbClient } from '../db/client';
import type { ContextAttachment } from '../db/attachments/repository';
import type { ChatTurn, ImagePart } from '../providers/types';
import { CHARS_PER_TOKEN, estimateTokens, estimateTurnTokens, TOKENS_PER_IMAGE } from '../chat/tokens';

export interface AttachmentContextSource {
  forContext(messageIds: string[]): Promise<ContextAttachment[]>;
  /** A whole (small) blob, for an image part. */
  readBlob(sha256: string, sizeBytes: number): Promise<Buffer>;
}

type PathMessage = Message | BranchMessage;
export type MessageWithFiles = PathMessage & Pick<ChatTurn, 'images'>;

/**
 * Refuses a send whose drafts cannot go: missing, still being read, over the message limits, or
 * images for a model that cannot read them. Before anything is written or requested.
 */
export async function checkDraftsSendable(
  db: DbClient,
  sessionId: string,
  ids: string[] | undefined,
  model: string | null,
): Promise<void> {
  if (!ids?.length) return;
  const drafts = await db.call('attachments.drafts', { sessionId, ids });
  if (model && drafts.some((a) => a.kind === 'image') && !modelTakesImages(model)) {
    throw new ConfabError('invalid_input', imagesRefusedSentence(model));
  }
}

const fileBlock = (name: string, body: string) => `[Attached file: ${name}]\n${body}\n[End of ${name}]`;

export async function attachFiles(
  source: AttachmentContextSource | undefined,
  path: readonly PathMessage[],
  systemPrompt: string,
  target: { model: string; budget: number },
): Promise<MessageWithFiles[]> {
  if (!source || path.length === 0) return [...path];
  const files = await source.forContext(path.map((m) => m.id));
  if (files.length === 0) return [...path];
  const byMessage = new Map<string, ContextAttachment[]>();
  for (const file of files) byMessage.set(file.messageId, [...(byMessage.get(file.messageId) ?? []), file]);
  const vision = modelTakesImages(target.model);
  const sendable = (f: ContextAttachment) =>
    vision && f.status === 'ready' && f.bytesPresent && f.sizeBytes <= ATTACHMENT_IMAGE_SEND_MAX_BYTES;

  // What the conversation costs without document text: the rest of the budget is for documents.
  const imageCount = files.filter((f) => attachmentKind(f.mediaType) === 'image' && sendable(f)).length;
  const base =
    estimateTokens(systemPrompt) +
    path.reduce((n, m) => n + estimateTurnTokens({ content: m.content }), 0) +
    imageCount * TOKENS_PER_IMAGE;
  let charsLeft = Math.max(0, target.budget - base) * CHARS_PER_TOKEN;

  const result: MessageWithFiles[] = [...path];
  // Newest first: the question being asked gets its files before older turns do.
  for (let i = path.length - 1; i >= 0; i--) {
    const message = path[i]!;
    const attached = byMessage.get(message.id);
    if (!attached) continue;
    const blocks: string[] = [];
    const images: ImagePart[] = [];
    for (const file of attached) {
      if (attachmentKind(file.mediaType) === 'image') {
        if (sendable(file)) {
          const bytes = await source.readBlob(file.sha256, file.sizeBytes).catch(() => null);
          if (bytes) {
            images.push({ mediaType: file.mediaType, data: bytes.toString('base64') });
            continue;
          }
        }
        blocks.push(`[Image ${file.fileName} not sent: ${imageSkipReason(file, vision, target.model)}]`);
        continue;
      }
      if (file.status !== 'ready' || !file.bytesPresent) {
        blocks.push(`[Attached file ${file.fileName} could not be read, so its text is not included.]`);
        continue;
      }
      const text = file.text;
      if (text.length <= charsLeft) {
        blocks.push(fileBlock(file.fileName, text));
        charsLeft -= text.length;
      } else if (charsLeft > 0) {
        blocks.push(
          fileBlock(
            file.fileName,
            `${text.slice(0, charsLeft)}\n[Trimmed: only the first ${formatLimit(charsLeft)} of ${formatLimit(text.length)} characters of ${file.fileName} fit in the context budget.]`,
          ),
        );
        charsLeft = 0;
      } else {
        blocks.push(
          `[Attached file ${file.fileName} (${formatLimit(text.length)} characters) left out: it does not fit in the context budget.]`,
        );
      }
    }
    result[i] = {
      ...message,
      content: [message.content, ...blocks].filter((part) => part.trim() !== '').join('\n\n'),
      ...(images.length ? { images } : {}),
    };
  }
  return result;
}

function imageSkipReason(file: ContextAttachment, vision: boolean, model: string): string {
  if (!vision) return `the model ${model} cannot read images`;
  if (!file.bytesPresent) return 'its bytes are not on this device';
  if (file.status !== 'ready') return 'it could not be read';
  return `it is larger than ${formatLimit(ATTACHMENT_IMAGE_SEND_MAX_BYTES / 1024 / 1024)} MB`;
}
