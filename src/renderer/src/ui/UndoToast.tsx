import { useEffect, type ReactNode } from 'react';
import './toast.css';

const UNDO_MS = 8000;

/**
 * "Done — Undo" for a few seconds after something that can be taken back. The live region is
 * always rendered, so screen readers announce the message when it appears.
 */
export function UndoToast({
  show,
  children,
  onUndo,
  onDismiss,
  className = '',
}: {
  show: boolean;
  children: ReactNode;
  onUndo(): void;
  onDismiss(): void;
  className?: string;
}) {
  useEffect(() => {
    if (!show) return;
    const timer = setTimeout(onDismiss, UNDO_MS);
    return () => clearTimeout(timer);
  }, [show, onDismiss]);

  return (
    <div role="status" className={`toast-region ${className}`.trim()}>
      {show && (
        <div className="toast">
          <span className="toast__message">{children}</span>
          <button type="button" className="button button--link" onClick={onUndo}>
            Undo
          </button>
        </div>
      )}
    </div>
  );
}
