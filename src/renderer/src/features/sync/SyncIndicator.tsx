import { useEffect, useRef } from 'react';
import type { SyncProgress, SyncStatus } from '@shared/types';
import { useAppStore } from '../../app/context';
import { SyncDetail } from './SyncDetail';
import { statusLine } from './sentences';
import './sync.css';

/** Which colour the dot is: good, busy, attention (offline, waiting), or stopped. */
const TONE: Record<SyncStatus['state'], string> = {
  off: 'idle',
  connecting: 'busy',
  syncing: 'busy',
  idle: 'good',
  offline: 'attention',
  waiting: 'attention',
  error: 'stopped',
};

/**
 * Where team sync stands, always in view at the foot of the sidebar (hidden while sync is off).
 * Clicking it opens the detail: last synced, lag, pending and rejected changes.
 */
export function SyncIndicator() {
  const status = useAppStore((s) => s.syncStatus);
  const detailOpen = useAppStore((s) => s.syncDetailOpen);
  const openSyncDetail = useAppStore((s) => s.openSyncDetail);
  const closeSyncDetail = useAppStore((s) => s.closeSyncDetail);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(detailOpen);
  useEffect(() => {
    // Focus goes back to the indicator when the detail closes.
    if (wasOpen.current && !detailOpen) buttonRef.current?.focus();
    wasOpen.current = detailOpen;
  }, [detailOpen]);

  if (!status || status.state === 'off') return null;
  const rejected = status.rejected.length;
  return (
    <div className="sync-indicator">
      <button
        ref={buttonRef}
        type="button"
        className={`sync-indicator__button sync-indicator--${TONE[status.state]}`}
        aria-haspopup="dialog"
        aria-expanded={detailOpen}
        aria-label={`Team sync: ${statusLine(status)}${rejected ? `, ${rejected} not accepted` : ''}. Show details`}
        onClick={() => (detailOpen ? closeSyncDetail() : openSyncDetail())}
      >
        <span className="sync-indicator__dot" aria-hidden="true" />
        <span className="sync-indicator__line">{statusLine(status)}</span>
        {rejected > 0 && <span className="sync-indicator__badge">{rejected} not accepted</span>}
      </button>
      {status.progress && <SyncProgressBar progress={status.progress} />}
      {detailOpen && <SyncDetail status={status} onClose={closeSyncDetail} />}
    </div>
  );
}

const count = (part: { done: number; total: number | null }) =>
  part.total === null ? part.done.toLocaleString() : `${part.done.toLocaleString()} of ${part.total.toLocaleString()}`;

/** During the first sync: chats and messages done of the server's totals. */
export function SyncProgressBar({ progress }: { progress: SyncProgress }) {
  const total = progress.messages?.total ?? progress.total;
  const done = progress.messages?.total != null ? progress.messages.done : progress.done;
  const words = [
    progress.chats && `Chats ${count(progress.chats)}`,
    progress.messages && `Messages ${count(progress.messages)}`,
  ].filter(Boolean);
  const label = words.length
    ? words.join(' · ')
    : `${progress.phase === 'push' ? 'Sending' : 'Receiving'} ${count({ done: progress.done, total: progress.total })}`;
  return (
    <div className="sync-progress">
      <div
        role="progressbar"
        aria-label="Sync progress"
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={total ? Math.min(done, total) : undefined}
        aria-valuetext={label}
        className="sync-progress__track"
      >
        <div
          className="sync-progress__fill"
          style={{ width: total ? `${Math.min(100, (100 * done) / Math.max(1, total))}%` : '100%' }}
        />
      </div>
      <span className="sync-progress__label">{label}</span>
    </div>
  );
}
