/**
 * The one place that decides where `window.confab` comes from. Electron's preload provides it;
 * the web host has no preload, so we build the same client over a WebSocket. Everything else in
 * the renderer gets the API from the store it was handed to, never from `window`.
 */
import { createClient, type ConfabApi } from '@shared/client';
import { socketUrl } from './token';
import { WebSocketTransport } from './webSocketTransport';

let installed: ConfabApi | null = null;

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
    const transport = new WebSocketTransport({ url: socketUrl(window.location, sessionStorageOrNull()) });
    window.confab = createClient(transport);
  }
  installed = window.confab;
  return installed;
}
