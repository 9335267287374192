import type { UsageTopSession } from '@shared/types';
import { formatCost, formatRequests, formatTokens } from './format';

/** The chats that used the most tokens in the range; each opens its chat. */
export function TopSessions({
  sessions,
  onOpenSession,
}: {
  sessions: UsageTopSession[];
  onOpenSession(sessionId: string): void;
}) {
  return (
    <section className="usage-section" aria-labelledby="usage-top-title">
      <h3 id="usage-top-title">Top chats by tokens</h3>
      {sessions.length === 0 ? (
        <p className="muted">No chat used tokens in this range.</p>
      ) : (
        <ol className="usage-list" aria-label="Top chats by tokens">
          {sessions.map((s) => {
            const title = s.title.trim() || 'Untitled chat';
            const facts = `${formatTokens(s.tokensIn + s.tokensOut)} tokens · ${formatRequests(s.runs)} · ${formatCost(s.costUsd)}${s.costUsd !== null && s.unpricedTokens > 0 ? ' + unpriced' : ''}`;
            return (
              <li key={s.sessionId}>
                {s.inTrash ? (
                  <span className="usage-list__item usage-list__item--static">
                    <span className="usage-list__title">{title} (in Trash)</span>
                    <span className="usage-list__facts">{facts}</span>
                  </span>
                ) : (
                  <button type="button" className="usage-list__item" onClick={() => onOpenSession(s.sessionId)}>
                    <span className="usage-list__title">{title}</span>
                    <span className="usage-list__facts">{facts}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
