import { useEffect } from 'react';
import { useAppStore } from '../../stores/context';
import { displayTitle } from './sessionTitle';

const UNDO_MS = 8000;

/** "Moved to Trash" with an Undo, for a few seconds after a chat is trashed. */
export function TrashUndoToast() {
  const undo = useAppStore((s) => s.trashUndo);
  const restore = useAppStore((s) => s.restoreSession);
  const dismiss = useAppStore((s) => s.dismissTrashUndo);
  useEffect(() => {
    if (!undo) return;
    const timer = setTimeout(dismiss, UNDO_MS);
    return () => clearTimeout(timer);
  }, [undo, dismiss]);

  return (
    <div role="status" className="toast-region">
      {undo && (
        <div className="toast">
          <span>Moved “{displayTitle(undo)}” to Trash.</span>
          <button type="button" className="button button--link" onClick={() => void restore(undo.id)}>
            Undo
          </button>
        </div>
      )}
    </div>
  );
}
