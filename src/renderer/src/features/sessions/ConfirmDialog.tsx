import { useEffect, useId, useRef } from 'react';

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  run(): void;
}

/** A small modal confirmation; Cancel has focus so Enter never destroys by accident. */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest; onClose(): void }) {
  const titleId = useId();
  const bodyId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancelRef.current?.focus();
    return () => returnTo?.focus();
  }, []);
  return (
    <div className="confirm-backdrop">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        className="confirm-dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onClose();
          } else if (event.key === 'Tab') {
            // Keep focus on the dialog's two buttons while it is open.
            const buttons = [...event.currentTarget.querySelectorAll<HTMLElement>('button')];
            const i = buttons.indexOf(document.activeElement as HTMLElement);
            const next = buttons[(i + (event.shiftKey ? -1 : 1) + buttons.length) % buttons.length];
            event.preventDefault();
            next?.focus();
          }
        }}
      >
        <h2 id={titleId}>{request.title}</h2>
        <p id={bodyId}>{request.body}</p>
        <div className="confirm-dialog__actions">
          <button ref={cancelRef} type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button--danger"
            onClick={() => {
              onClose();
              request.run();
            }}
          >
            {request.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
