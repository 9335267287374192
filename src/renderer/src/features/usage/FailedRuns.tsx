import type { FailedRun } from '@shared/types';
import { formatTime } from './format';

/** Failed requests of the last 24 hours, whatever the range; each opens the reply it was for. */
export function FailedRuns({
  runs,
  onOpenSession,
}: {
  runs: FailedRun[];
  onOpenSession(sessionId: string, messageId?: string): void;
}) {
  return (
    <section className="usage-section" aria-labelledby="usage-failed-title">
      <h3 id="usage-failed-title">Failed requests, last 24 hours</h3>
      {runs.length === 0 ? (
        <p className="muted">No failed requests in the last 24 hours.</p>
      ) : (
        <ul className="usage-list" aria-label="Failed requests, last 24 hours">
          {runs.map((r) => {
            const error =
              r.errorMessage ??
              (r.status === 'interrupted'
                ? 'Interrupted (Confab closed during the reply)'
                : (r.errorCode ?? 'Unknown error'));
            const body = (
              <>
                <span className="usage-list__title">{error}</span>
                <span className="usage-list__facts">
                  {r.model} · <time dateTime={r.startedAt}>{formatTime(r.startedAt)}</time>
                  {r.sessionTitle !== null && ` · ${r.sessionTitle.trim() || 'Untitled chat'}`}
                </span>
              </>
            );
            const sessionId = r.sessionId;
            return (
              <li key={r.id}>
                {sessionId ? (
                  <button
                    type="button"
                    className="usage-list__item"
                    onClick={() => onOpenSession(sessionId, r.messageId ?? undefined)}
                  >
                    {body}
                  </button>
                ) : (
                  <span className="usage-list__item usage-list__item--static">{body}</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
