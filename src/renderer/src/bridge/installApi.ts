/**
 * The one place that decides where `window.confab` comes from. Electron's preload provides it;
 * the web host has no preload, so we build the same client over a WebSocket. Everything else in
 * the renderer gets the API from the store it was handed to, never from `window`.
 */
import { createClient, type ConfabApi } from '@shared/client';
import { socketUrl } from './token';
import { WebSocketTransport, type ConnectionStatus, type HostProbe } from './webSocketTransport';

let installed: ConfabApi | null = null;
let webTransport: WebSocketTransport | null = null;

/** The web host's connection, for the banner that says it restarted; null in the desktop app. */
export interface ConnectionWatch {
  status(): ConnectionStatus;
  subscribe(listener: (status: ConnectionStatus) => void): () => void;
}

export function connectionWatch(): ConnectionWatch | null {
  const transport = webTransport;
  if (!transport) return null;
  return { status: () => transport.connectionStatus(), subscribe: (l) => transport.onConnectionStatus(l) };
}

/**
 * Asks the page's own origin whether it still accepts this page (the cookie the first visit set
 * carries the token). 401: the host runs, with another start's token.
 */
const probeOwnHost: HostProbe = async () => {
  try {
    const response = await fetch('/', { method: 'HEAD', cache: 'no-store', credentials: 'same-origin' });
    return response.status === 401 ? 'unauthorized' : 'ok';
  } catch {
    return 'unreachable';
  }
};

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function installApi(): ConfabApi {
  if (installed) return installed;
  if (!window.confab) {
    const transport = new WebSocketTransport({
      url: socketUrl(window.location, sessionStorageOrNull()),
      probeHost: probeOwnHost,
    });
    webTransport = transport;
    window.confab = createClient(transport);
  }
  installed = window.confab;
  return installed;
}
