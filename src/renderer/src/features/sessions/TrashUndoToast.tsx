import { useAppStore } from '../../app/context';
import { UndoToast } from '../../ui/UndoToast';
import { displayTitle } from './sessionTitle';

/** "Moved to Trash" with an Undo, for a few seconds after a chat is trashed. */
export function TrashUndoToast() {
  const undo = useAppStore((s) => s.trashUndo);
  const restore = useAppStore((s) => s.restoreSession);
  const dismiss = useAppStore((s) => s.dismissTrashUndo);
  return (
    <UndoToast
      show={undo !== null}
      onUndo={() => undo && void restore(undo.id)}
      onDismiss={dismiss}
      className="toast-region--floating"
    >
      {undo && <span title={displayTitle(undo)}>Moved “{displayTitle(undo)}” to Trash.</span>}
    </UndoToast>
  );
}
