import { useEffect, useSyncExternalStore } from 'react';
import { connectionWatch, type ConnectionWatch } from '../bridge/installApi';
import { CONNECTION_LOST_MESSAGE, type ConnectionStatus } from '../bridge/webSocketTransport';
import { useAppStoreApi } from './context';

const noWatch = (): ConnectionStatus => 'connected';
const noSubscribe = () => () => {};

/**
 * In a browser, when the web host was restarted (each start has a new token, so this page's is
 * no longer accepted): says so and what to do, over the app, which stays as it was so a draft in
 * the composer can still be copied. Nothing in the desktop app, which has no web host.
 */
export function HostRestartedBanner({ watch = connectionWatch() }: { watch?: ConnectionWatch | null }) {
  const status = useSyncExternalStore(watch ? watch.subscribe : noSubscribe, watch ? watch.status : noWatch);
  const store = useAppStoreApi();
  // "Reconnecting…" is no longer true once the host is known to have restarted.
  useEffect(() => {
    if (status !== 'host-restarted') return;
    const { errors, dismissError } = store.getState();
    for (const notice of errors) if (notice.message === CONNECTION_LOST_MESSAGE) dismissError(notice.id);
  }, [status, store]);
  if (status !== 'host-restarted') return null;
  return (
    <div role="alert" className="host-restarted">
      <strong>The Confab web host was restarted.</strong> This page&apos;s link no longer works: open the new link it
      printed (<code>http://127.0.0.1:…/?token=…</code>) to go on. Your chats are safe, and what you typed here stays
      until you close this page.
    </div>
  );
}
