import type { ConfabApi } from '@shared/client';

declare global {
  interface Window {
    /** Provided by preload in Electron; installed by the WebSocket bridge in the web host. */
    confab?: ConfabApi;
  }
}

export {};
