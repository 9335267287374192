import { useState, type FormEvent } from 'react';
import type { SyncServerInfo, SyncStatus } from '@shared/types';
import { useAppStore } from '../../app/context';
import type { SyncCheck } from './store';
import { SYNC_ERROR_SENTENCES } from '@shared/sync/sentences';
import { statusLine } from './sentences';
import './sync.css';

const describeServer = (server: SyncServerInfo) =>
  `${server.user} on ${server.host}/${server.database}` +
  (server.postgresVersion ? ` (PostgreSQL ${server.postgresVersion})` : '');

/**
 * Settings → Team sync: paste the connection string from `npm run team -- add-user`, Test it,
 * Connect. The string is sent to main once and never comes back with its password; while
 * connected the section shows where to, Sync now and Disconnect.
 */
export function SyncSettingsSection() {
  const status = useAppStore((s) => s.syncStatus);
  const connected = status !== null && status.state !== 'off';
  return (
    <section className="settings__section sync-settings" aria-labelledby="sync-settings-title">
      <h3 id="sync-settings-title">Team sync</h3>
      {connected ? <Connected status={status} /> : <ConnectForm />}
    </section>
  );
}

function ConnectForm() {
  const testSyncUrl = useAppStore((s) => s.testSyncUrl);
  const connectSync = useAppStore((s) => s.connectSync);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState<'test' | 'connect' | null>(null);
  const [result, setResult] = useState<{ kind: 'test' | 'connect'; check: SyncCheck } | null>(null);
  const disconnected = useAppStore((s) => s.syncJustDisconnected);

  const run = async (kind: 'test' | 'connect') => {
    if (!url.trim() || busy) return;
    setBusy(kind);
    setResult(null);
    const check = kind === 'test' ? await testSyncUrl(url.trim()) : await connectSync(url.trim());
    setBusy(null);
    // Once connected the string (with its password) is forgotten here; the section changes view.
    if (check.ok && kind === 'connect') setUrl('');
    setResult({ kind, check });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run('connect');
  };

  return (
    <form className="sync-settings__form" aria-label="Connect to a team server" onSubmit={submit}>
      <p className="muted">
        Sync your chats with your team&apos;s PostgreSQL. Paste the connection string your admin gave you (from npm run
        team -- add-user). The password is stored encrypted on this device and never shown again.
      </p>
      {disconnected && (
        <p role="status" className="sync-settings__note">
          Disconnected. Your chats, and any changes not yet sent, stay on this device.
        </p>
      )}
      <label className="sync-settings__field">
        Connection string
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="postgres://you:password@host/database"
          value={url}
          onChange={(event) => {
            setUrl(event.target.value);
            setResult(null);
          }}
        />
      </label>
      <div className="sync-settings__buttons">
        <button
          type="button"
          className="button"
          disabled={!url.trim() || busy !== null}
          onClick={() => void run('test')}
        >
          {busy === 'test' ? 'Testing…' : 'Test'}
        </button>
        <button type="submit" className="button button--primary" disabled={!url.trim() || busy !== null}>
          {busy === 'connect' ? 'Connecting…' : 'Connect'}
        </button>
      </div>
      {result?.check.ok === true && result.kind === 'test' && (
        <p role="status" className="sync-settings__ok">
          The server answered: {describeServer(result.check.server)}. Nothing is stored until you connect.
        </p>
      )}
      {result?.check.ok === false && (
        <p role="alert" className="sync-settings__error">
          {result.check.sentence}
        </p>
      )}
    </form>
  );
}

function Connected({ status }: { status: SyncStatus }) {
  const disconnectSync = useAppStore((s) => s.disconnectSync);
  const syncNow = useAppStore((s) => s.syncNow);
  const openSyncDetail = useAppStore((s) => s.openSyncDetail);
  const [confirming, setConfirming] = useState(false);
  const server = status.server;
  return (
    <div className="sync-settings__connected">
      <p>
        {server ? <>Connected as {describeServer(server)}.</> : <>Connected to {status.url ?? 'the team server'}.</>}{' '}
        <span className="muted">{statusLine(status)}</span>
      </p>
      {status.error && (
        <p role="alert" className="sync-settings__error">
          {status.error.code === 'other' ? status.error.message : SYNC_ERROR_SENTENCES[status.error.code]}
        </p>
      )}
      <div className="sync-settings__buttons">
        <button type="button" className="button" onClick={() => void syncNow()}>
          Sync now
        </button>
        <button type="button" className="button" onClick={openSyncDetail}>
          Details
        </button>
        {!confirming && (
          <button type="button" className="button" onClick={() => setConfirming(true)}>
            Disconnect
          </button>
        )}
      </div>
      {confirming && (
        <div role="group" aria-label="Disconnect from the team server" className="sync-settings__confirm">
          <p>
            Stop syncing with this server? Your chats stay on this device
            {status.pending > 0 ? `, and so do the ${status.pending.toLocaleString()} changes not yet sent` : ''}. To
            sync again you will need the connection string.
          </p>
          <button
            type="button"
            className="button button--danger"
            onClick={() => {
              setConfirming(false);
              void disconnectSync();
            }}
          >
            Disconnect, keep local data
          </button>
          <button type="button" className="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}
