import { useEffect, useId, useRef, useState } from 'react';
import type { Attachment } from '@shared/types';
import { useAppStore } from '../../app/context';
import { formatBytes, typeLabel } from './format';

const VIEWER_TEXT_CHARS = 200_000;

/**
 * Shows one file in the app. Images are shown as images (from a data: URL the CSP allows);
 * everything else, SVG and HTML included, is shown as plain text through React, which escapes
 * it: a file is never rendered as a live document (no iframe, no object, no innerHTML).
 */
export function AttachmentViewer({ attachment, onClose }: { attachment: Attachment; onClose(): void }) {
  const titleId = useId();
  const closeRef = useRef<HTMLButtonElement>(null);
  const loadImage = useAppStore((s) => s.loadAttachmentImage);
  const loadText = useAppStore((s) => s.loadAttachmentText);
  const [image, setImage] = useState<string | null | undefined>(undefined);
  const [text, setText] = useState<{ text: string; totalChars: number } | null | undefined>(undefined);

  useEffect(() => {
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => returnTo?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    if (attachment.kind === 'image') void loadImage(attachment).then((url) => live && setImage(url));
    else void loadText(attachment.id, VIEWER_TEXT_CHARS).then((t) => live && setText(t));
    return () => {
      live = false;
    };
  }, [attachment, loadImage, loadText]);

  return (
    <div className="attachment-viewer__backdrop" onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="attachment-viewer"
        data-testid="attachment-viewer"
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            onClose();
          }
        }}
      >
        <header className="attachment-viewer__header">
          <h2 id={titleId}>{attachment.fileName}</h2>
          <span className="muted">
            {typeLabel(attachment.mediaType)} · {formatBytes(attachment.sizeBytes)}
            {attachment.width && attachment.height ? ` · ${attachment.width}×${attachment.height}` : ''}
          </span>
          <button ref={closeRef} type="button" className="button" onClick={onClose}>
            Close
          </button>
        </header>
        <div className="attachment-viewer__body">
          {attachment.kind === 'image' ? (
            image === undefined ? (
              <p className="muted">Loading…</p>
            ) : image === null ? (
              <p className="muted">This image cannot be shown here.</p>
            ) : (
              <img className="attachment-viewer__image" src={image} alt={attachment.fileName} decoding="async" />
            )
          ) : text === undefined ? (
            <p className="muted">Loading…</p>
          ) : text === null || attachment.status === 'failed' ? (
            <p className="muted">{attachment.error ?? 'The text of this file could not be read.'}</p>
          ) : (
            <>
              <pre className="attachment-viewer__text" data-testid="attachment-text">
                {text.text}
              </pre>
              {text.totalChars > text.text.length && (
                <p className="muted">
                  Showing the first {text.text.length.toLocaleString('en-US')} of{' '}
                  {text.totalChars.toLocaleString('en-US')} characters.
                </p>
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
