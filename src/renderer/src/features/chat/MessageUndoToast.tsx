import { useEffect } from 'react';
import { useAppStore } from '../../stores/context';

const UNDO_MS = 8000;

/** "Message deleted" with an Undo, for a few seconds after a delete in this chat. */
export function MessageUndoToast({ sessionId }: { sessionId: string }) {
  const undo = useAppStore((s) => (s.messageUndo?.sessionId === sessionId ? s.messageUndo : null));
  const undoDelete = useAppStore((s) => s.undoMessageDelete);
  const dismiss = useAppStore((s) => s.dismissMessageUndo);
  useEffect(() => {
    if (!undo) return;
    const timer = setTimeout(dismiss, UNDO_MS);
    return () => clearTimeout(timer);
  }, [undo, dismiss]);

  return (
    <div role="status" className="toast-region chat__toast">
      {undo && (
        <div className="toast">
          <span>{undo.count === 1 ? 'Message deleted.' : `Deleted the message and ${undo.count - 1} after it.`}</span>
          <button type="button" className="button button--link" onClick={() => void undoDelete()}>
            Undo
          </button>
        </div>
      )}
    </div>
  );
}
