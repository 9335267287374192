import { useAppStore } from '../../app/context';

export function ErrorToasts() {
  const errors = useAppStore((s) => s.errors);
  const dismissError = useAppStore((s) => s.dismissError);
  if (errors.length === 0) return null;
  return (
    <div className="toasts">
      {errors.map((error) => (
        <div key={error.id} role="alert" className="toast">
          <p className="toast__message">{error.message}</p>
          <button type="button" className="toast__dismiss" aria-label="Dismiss" onClick={() => dismissError(error.id)}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      ))}
    </div>
  );
}
