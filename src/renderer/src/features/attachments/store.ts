/**
 * The attachments slice: files waiting in each chat's composer (uploading, ready or refused) and
 * the files of shown messages, fetched in one call per burst of messages coming into view.
 */
import { ConfabError } from '@shared/errors';
import { ATTACHMENTS_MAX_PER_MESSAGE } from '@shared/limits';
import type { Attachment } from '@shared/types';
import type { SliceCreator } from '../../app/types';
import { runImageJob } from './imageJobs';
import { dataUrlOnThisThread, readBase64Parts, uploadFile } from './upload';

export interface DraftFile {
  /** Stable key for the list while the file has no id yet. */
  key: string;
  fileName: string;
  sizeBytes: number;
  sentBytes: number;
  attachment: Attachment | null;
  /** Why this file cannot go (refused type, over a limit, unreadable). */
  error: string | null;
}

export interface AttachmentsSlice {
  draftFiles: Record<string, DraftFile[]>;
  /** Files of messages, by message id; absent: not fetched yet. */
  messageFiles: Record<string, Attachment[]>;
  addFiles(sessionId: string, files: readonly (Blob & { name: string })[]): Promise<void>;
  removeDraftFile(sessionId: string, key: string): Promise<void>;
  /** Ids of the composer's ready files, in order, for chat.send. */
  readyDraftIds(sessionId: string): string[];
  /** Still uploading or being read: sending waits for them. */
  draftsBusy(sessionId: string): boolean;
  clearDraftFiles(sessionId: string): void;
  /**
   * For chat.send: the composer's ready files ({} when none). Throws a sentence while a file is
   * still uploading or being read, so that a send never silently leaves a file behind.
   */
  draftAttachmentsForSend(sessionId: string): { attachmentIds?: string[] };
  requestMessageFiles(messageId: string): void;
  /**
   * An image as a data: URL for the viewer; null when it cannot be shown. Tried even when the
   * bytes are not on this device: main may fetch them from the team server.
   */
  loadAttachmentImage(attachment: Attachment): Promise<string | null>;
  /** A small image (THUMBNAIL_SIDE pixels at most) for a chip, made in the image worker. */
  loadAttachmentThumbnail(attachment: Attachment): Promise<string | null>;
  /** A document's text, or its first part. */
  loadAttachmentText(id: string, limit: number): Promise<{ text: string; totalChars: number } | null>;
}

/** Images larger than this are not read into the page (the chip says so). */
export const MAX_SHOWN_IMAGE_BYTES = 20 * 1024 * 1024;
/** A chip's thumbnail: 48 CSS pixels, twice that for high-density screens. */
export const THUMBNAIL_SIDE = 96;
/** Thumbnails kept by content hash, so a chip shown again is not made again. */
const THUMBNAILS_KEPT = 300;

const errorText = (err: unknown) =>
  err && typeof err === 'object' && 'message' in err && typeof err.message === 'string'
    ? err.message
    : 'The file could not be added.';

let nextKey = 1;

export const createAttachmentsSlice: SliceCreator<AttachmentsSlice> = (set, get, { api }) => {
  const wanted = new Set<string>();
  const thumbnails = new Map<string, Promise<string | null>>();

  /** The image as a data: URL, built in the image worker (on this thread only where none runs). */
  const imageDataUrl = async (attachment: Attachment): Promise<string | null> => {
    const parts = await readBase64Parts(api, attachment);
    const answer = await runImageJob({ kind: 'dataUrl', mediaType: attachment.mediaType, parts });
    return answer ? answer.url : dataUrlOnThisThread(attachment.mediaType, parts);
  };

  const makeThumbnail = async (attachment: Attachment): Promise<string | null> => {
    const parts = await readBase64Parts(api, attachment);
    const answer = await runImageJob({
      kind: 'thumbnail',
      mediaType: attachment.mediaType,
      parts,
      maxSide: THUMBNAIL_SIDE,
    });
    // No worker here: the image itself, scaled by the browser (the chip's old way).
    return answer ? answer.url : dataUrlOnThisThread(attachment.mediaType, parts);
  };
  let scheduled = false;

  const updateDraft = (sessionId: string, key: string, change: Partial<DraftFile>) =>
    set((s) => ({
      draftFiles: {
        ...s.draftFiles,
        [sessionId]: (s.draftFiles[sessionId] ?? []).map((d) => (d.key === key ? { ...d, ...change } : d)),
      },
    }));

  async function fetchWanted(): Promise<void> {
    scheduled = false;
    const ids = [...wanted].slice(0, 500);
    for (const id of ids) wanted.delete(id);
    if (ids.length === 0) return;
    try {
      const files = await api.attachments.list({ messageIds: ids });
      const byMessage: Record<string, Attachment[]> = Object.fromEntries(ids.map((id) => [id, []]));
      for (const file of files) if (file.messageId) byMessage[file.messageId]!.push(file);
      set((s) => ({ messageFiles: { ...s.messageFiles, ...byMessage } }));
    } catch {
      // Shown without files; the next time the message comes into view asks again.
    }
    if (wanted.size > 0) schedule();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => void fetchWanted());
  }

  return {
    draftFiles: {},
    messageFiles: {},

    async addFiles(sessionId, files) {
      const room = ATTACHMENTS_MAX_PER_MESSAGE - (get().draftFiles[sessionId]?.length ?? 0);
      const entries: DraftFile[] = files.map((file, i) => ({
        key: `draft-${nextKey++}`,
        fileName: file.name || 'pasted file',
        sizeBytes: file.size,
        sentBytes: 0,
        attachment: null,
        error: i < room ? null : `A message can carry at most ${ATTACHMENTS_MAX_PER_MESSAGE} attachments.`,
      }));
      set((s) => ({ draftFiles: { ...s.draftFiles, [sessionId]: [...(s.draftFiles[sessionId] ?? []), ...entries] } }));
      await Promise.all(
        entries.map(async (entry, i) => {
          if (entry.error) return;
          const file = files[i]!;
          const named = file.name ? file : Object.assign(file.slice(0, file.size, file.type), { name: entry.fileName });
          try {
            const attachment = await uploadFile(api, sessionId, named, (sent) =>
              updateDraft(sessionId, entry.key, { sentBytes: sent }),
            );
            updateDraft(sessionId, entry.key, {
              attachment,
              sentBytes: entry.sizeBytes,
              error: attachment.status === 'failed' ? (attachment.error ?? 'The file could not be read.') : null,
            });
          } catch (err) {
            updateDraft(sessionId, entry.key, { error: errorText(err) });
          }
        }),
      );
    },

    async removeDraftFile(sessionId, key) {
      const draft = get().draftFiles[sessionId]?.find((d) => d.key === key);
      set((s) => ({
        draftFiles: { ...s.draftFiles, [sessionId]: (s.draftFiles[sessionId] ?? []).filter((d) => d.key !== key) },
      }));
      if (draft?.attachment) await api.attachments.remove({ id: draft.attachment.id }).catch(() => undefined);
    },

    readyDraftIds(sessionId) {
      return (get().draftFiles[sessionId] ?? [])
        .filter((d) => d.attachment?.status === 'ready' && !d.error)
        .map((d) => d.attachment!.id);
    },

    draftsBusy(sessionId) {
      return (get().draftFiles[sessionId] ?? []).some((d) => !d.error && !d.attachment);
    },

    draftAttachmentsForSend(sessionId) {
      if (get().draftsBusy(sessionId)) {
        throw new ConfabError('conflict', 'A file is still being added. Send again once it is ready.');
      }
      const ids = get().readyDraftIds(sessionId);
      return ids.length > 0 ? { attachmentIds: ids } : {};
    },

    clearDraftFiles(sessionId) {
      set((s) => {
        const { [sessionId]: _gone, ...rest } = s.draftFiles;
        return { draftFiles: rest };
      });
    },

    requestMessageFiles(messageId) {
      if (get().messageFiles[messageId] || wanted.has(messageId)) return;
      wanted.add(messageId);
      schedule();
    },

    async loadAttachmentImage(attachment) {
      if (attachment.kind !== 'image' || attachment.sizeBytes > MAX_SHOWN_IMAGE_BYTES) return null;
      try {
        return await imageDataUrl(attachment);
      } catch {
        return null;
      }
    },

    loadAttachmentThumbnail(attachment) {
      if (attachment.kind !== 'image' || !attachment.bytesPresent || attachment.sizeBytes > MAX_SHOWN_IMAGE_BYTES) {
        return Promise.resolve(null);
      }
      const known = thumbnails.get(attachment.sha256);
      if (known) return known;
      const made = makeThumbnail(attachment).catch(() => null);
      thumbnails.set(attachment.sha256, made);
      // A failed read may succeed later (bytes fetched meanwhile): not kept.
      void made.then((url) => {
        if (url === null) thumbnails.delete(attachment.sha256);
      });
      while (thumbnails.size > THUMBNAILS_KEPT) thumbnails.delete(thumbnails.keys().next().value!);
      return made;
    },

    async loadAttachmentText(id, limit) {
      try {
        return await api.attachments.text({ id, offset: 0, limit });
      } catch {
        return null;
      }
    },
  };
};
