import { useRef, type ClipboardEvent, type DragEvent } from 'react';
import { useAppStore } from '../../app/context';
import { FileIcon } from './FileIcon';
import { formatBytes } from './format';
import './attachments.css';

/** What the file picker offers; the bytes decide in the end (main detects the real type). */
const PICKER_ACCEPT =
  'image/png,image/jpeg,image/webp,image/gif,application/pdf,.docx,.txt,.md,.markdown,.csv,.json,text/*,.js,.ts,.py,.go,.rs,.java,.c,.cpp,.sql,.yaml,.yml';

/** Drop and paste of files on the composer; text paste is left alone. */
export function useComposerFiles(sessionId: string) {
  const addFiles = useAppStore((s) => s.addFiles);
  return {
    onDragOver(event: DragEvent) {
      if (event.dataTransfer.types.includes('Files')) event.preventDefault();
    },
    onDrop(event: DragEvent) {
      if (event.dataTransfer.files.length === 0) return;
      event.preventDefault();
      void addFiles(sessionId, [...event.dataTransfer.files]);
    },
    onPaste(event: ClipboardEvent) {
      const files = [...event.clipboardData.files];
      if (files.length === 0) return;
      event.preventDefault();
      void addFiles(sessionId, files);
    },
  };
}

/** The composer's files: an Add button and a chip per file with its progress, error and Remove. */
export function ComposerAttachments({ sessionId }: { sessionId: string }) {
  const drafts = useAppStore((s) => s.draftFiles[sessionId]);
  const addFiles = useAppStore((s) => s.addFiles);
  const remove = useAppStore((s) => s.removeDraftFile);
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={PICKER_ACCEPT}
        data-testid="attach-input"
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          event.target.value = '';
          if (files.length) void addFiles(sessionId, files);
        }}
      />
      <button
        type="button"
        className="button composer-attachments__add"
        aria-label="Attach files"
        title="Attach images or files (or drop or paste them here)"
        onClick={() => input.current?.click()}
      >
        <FileIcon name="clip" size={18} />
      </button>
      {drafts && drafts.length > 0 && (
        <ul className="composer-attachments__list" aria-label="Files to send">
          {drafts.map((d) => {
            const state = d.error
              ? d.error
              : d.attachment
                ? formatBytes(d.sizeBytes)
                : d.sentBytes < d.sizeBytes
                  ? `Uploading ${Math.floor((d.sentBytes / Math.max(1, d.sizeBytes)) * 100)}%`
                  : 'Reading…';
            return (
              <li
                key={d.key}
                className={`draft-file${d.error ? ' draft-file--error' : ''}`}
                data-testid="draft-file"
                data-ready={d.attachment?.status === 'ready' && !d.error ? 'true' : 'false'}
              >
                <span className="draft-file__name">{d.fileName}</span>
                <span className="draft-file__state muted" role={d.error ? 'alert' : undefined}>
                  {state}
                </span>
                <button
                  type="button"
                  className="button button--link"
                  aria-label={`Remove ${d.fileName}`}
                  onClick={() => void remove(sessionId, d.key)}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
