import { useAppStore } from '../../app/context';

/** Failures only: the one toast that is red (an Undo notice is neutral, see ui/UndoToast). */
export function ErrorToasts() {
  const errors = useAppStore((s) => s.errors);
  const dismissError = useAppStore((s) => s.dismissError);
  if (errors.length === 0) return null;
  return (
    <div className="toasts">
      {errors.map((error) => (
        <div key={error.id} role="alert" className="error-toast">
          <p className="error-toast__message">{error.message}</p>
          <button type="button" className="error-toast__dismiss" aria-label="Dismiss" onClick={() => dismissError(error.id)}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      ))}
    </div>
  );
}
