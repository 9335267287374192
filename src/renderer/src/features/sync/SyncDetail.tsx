import { useEffect, useRef } from 'react';
import type { SyncStatus } from '@shared/types';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { openChat } from '../workspace/actions';
import { SYNC_ERROR_SENTENCES } from '@shared/sync/sentences';
import { ago, changes, duration, statusLine } from './sentences';

/**
 * The indicator's detail: when this device last synced, the lag, changes waiting to be sent, and
 * changes the server did not take, each with its reason and "Use the server's version".
 */
export function SyncDetail({ status, onClose }: { status: SyncStatus; onClose(): void }) {
  const syncNow = useAppStore((s) => s.syncNow);
  const takeServerVersion = useAppStore((s) => s.useServerVersion);
  const app = useAppStoreApi();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      onClose();
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [onClose]);

  return (
    <div ref={ref} role="dialog" aria-label="Sync details" className="sync-detail">
      <header className="sync-detail__header">
        <strong>{statusLine(status)}</strong>
        <button type="button" className="icon-button" aria-label="Close sync details" onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      {status.error && (
        <p role="alert" className="sync-settings__error">
          {status.error.code === 'other' ? status.error.message : SYNC_ERROR_SENTENCES[status.error.code]}
        </p>
      )}
      <dl className="sync-detail__facts">
        <dt>Server</dt>
        <dd>{status.server ? `${status.server.host}/${status.server.database} as ${status.server.user}` : '—'}</dd>
        <dt>Last synced</dt>
        <dd>{ago(status.lastSyncedAt)}</dd>
        <dt>Lag</dt>
        <dd>{duration(status.lagMs)}</dd>
        <dt>Waiting to be sent</dt>
        <dd>{status.pending === 0 ? 'nothing' : changes(status.pending)}</dd>
        {status.waitingFor && (
          <>
            <dt>Held back by</dt>
            <dd>
              server process {status.waitingFor.pid}, open for {status.waitingFor.ageSeconds} s
            </dd>
          </>
        )}
        {status.nextAttemptAt && status.state !== 'syncing' && (
          <>
            <dt>Next attempt</dt>
            <dd>{new Date(status.nextAttemptAt).toLocaleTimeString()}</dd>
          </>
        )}
      </dl>
      <section aria-label="Changes the server did not accept" className="sync-detail__rejected">
        <h4>Not accepted by the server</h4>
        {status.rejected.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul>
            {status.rejected.map((change) => (
              <li key={change.no} aria-label={`Change ${change.no}`}>
                <span className="sync-detail__what">
                  {change.table} {change.key}
                </span>
                <span className="sync-detail__reason">{change.reason}</span>
                <span className="sync-detail__actions">
                  {change.sessionId && (
                    <button
                      type="button"
                      className="button"
                      onClick={() => {
                        onClose();
                        openChat(app, change.sessionId!);
                      }}
                    >
                      Open chat
                    </button>
                  )}
                  <button type="button" className="button" onClick={() => void takeServerVersion(change.no)}>
                    Use the server&apos;s version
                  </button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="sync-detail__buttons">
        <button type="button" className="button" onClick={() => void syncNow()}>
          Sync now
        </button>
      </div>
    </div>
  );
}
