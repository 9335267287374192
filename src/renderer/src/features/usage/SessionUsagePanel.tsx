import { useEffect } from 'react';
import { useAppStore } from '../../app/context';
import { formatCost, formatCount, formatTokens } from './format';
import './usage.css';

/** One chat's usage over its whole life, for the session info panel. */
export function SessionUsagePanel({ sessionId }: { sessionId: string }) {
  const entry = useAppStore((s) => s.sessionUsage[sessionId]);
  const loadSessionUsage = useAppStore((s) => s.loadSessionUsage);
  // A new reply changes these; read the usage again then.
  const messageCount = useAppStore((s) => s.sessionsById[sessionId]?.messageCount);
  const lastMessageAt = useAppStore((s) => s.sessionsById[sessionId]?.lastMessageAt);

  useEffect(() => {
    void loadSessionUsage(sessionId);
  }, [loadSessionUsage, sessionId, messageCount, lastMessageAt]);

  const usage = entry?.data;
  return (
    <section className="session-usage" aria-labelledby={`session-usage-${sessionId}`}>
      <h3 id={`session-usage-${sessionId}`}>Usage</h3>
      {!usage ? (
        <p className="muted" role="status">
          {entry?.status === 'error' ? 'Usage could not be loaded.' : 'Loading…'}
        </p>
      ) : usage.runs === 0 ? (
        <p className="muted">No requests to a model in this chat yet.</p>
      ) : (
        <dl className="session-usage__facts">
          <dt>Input tokens</dt>
          <dd title={formatCount(usage.tokensIn)}>{formatTokens(usage.tokensIn)}</dd>
          <dt>Output tokens</dt>
          <dd title={formatCount(usage.tokensOut)}>{formatTokens(usage.tokensOut)}</dd>
          <dt>Estimated cost</dt>
          <dd>
            {formatCost(usage.costUsd)}
            {usage.costUsd !== null &&
              usage.unpricedTokens > 0 &&
              ` + ${formatTokens(usage.unpricedTokens)} tokens with no price`}
          </dd>
          <dt>Requests</dt>
          <dd>
            {formatCount(usage.runs)}
            {usage.failed > 0 && ` (${formatCount(usage.failed)} failed)`}
          </dd>
          <dt>Models</dt>
          <dd>{usage.models.join(', ')}</dd>
        </dl>
      )}
    </section>
  );
}
