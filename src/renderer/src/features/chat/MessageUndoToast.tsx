import { useAppStore } from '../../app/context';
import { UndoToast } from '../../ui/UndoToast';

/** "Message deleted" with an Undo, for a few seconds after a delete in this chat. */
export function MessageUndoToast({ sessionId }: { sessionId: string }) {
  const undo = useAppStore((s) => (s.messageUndo?.sessionId === sessionId ? s.messageUndo : null));
  const undoDelete = useAppStore((s) => s.undoMessageDelete);
  const dismiss = useAppStore((s) => s.dismissMessageUndo);
  return (
    <UndoToast show={undo !== null} onUndo={() => void undoDelete()} onDismiss={dismiss} className="chat__toast">
      {undo && (undo.count === 1 ? 'Message deleted.' : `Deleted the message and ${undo.count - 1} after it.`)}
    </UndoToast>
  );
}
