import { useEffect, useState } from 'react';
import type { Attachment } from '@shared/types';
import { useAppStore } from '../../app/context';
import { FileIcon } from './FileIcon';
import { formatBytes, typeLabel } from './format';

/**
 * A file on a message: a thumbnail for images (made in the image worker, off the page's main
 * thread: a few kilobytes of WebP, not the file), a labelled chip for documents. Opening it shows
 * the viewer.
 */
export function AttachmentChip({ attachment, onOpen }: { attachment: Attachment; onOpen(a: Attachment): void }) {
  const loadThumbnail = useAppStore((s) => s.loadAttachmentThumbnail);
  const [thumb, setThumb] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (attachment.kind === 'image') void loadThumbnail(attachment).then((url) => live && setThumb(url));
    return () => {
      live = false;
    };
  }, [attachment, loadThumbnail]);
  const failed = attachment.status === 'failed';
  return (
    <button
      type="button"
      className={`attachment-chip${failed ? ' attachment-chip--failed' : ''}`}
      data-testid="attachment-chip"
      data-media-type={attachment.mediaType}
      title={failed ? (attachment.error ?? 'This file could not be read.') : `Open ${attachment.fileName}`}
      onClick={() => onOpen(attachment)}
    >
      {thumb ? (
        <img
          className="attachment-chip__thumb"
          data-testid="attachment-thumbnail"
          src={thumb}
          alt=""
          decoding="async"
          width={48}
          height={48}
        />
      ) : (
        <span className="attachment-chip__icon" aria-hidden="true">
          <FileIcon name={attachment.kind === 'image' ? 'image' : 'document'} size={28} />
        </span>
      )}
      <span className="attachment-chip__text">
        <span className="attachment-chip__name">{attachment.fileName}</span>
        <span className="attachment-chip__meta muted">
          {typeLabel(attachment.mediaType)} · {formatBytes(attachment.sizeBytes)}
          {failed ? ' · could not be read' : ''}
          {!attachment.bytesPresent ? ' · not on this device' : ''}
        </span>
      </span>
    </button>
  );
}
