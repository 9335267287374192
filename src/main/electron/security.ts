/**
 * Window hardening: no navigation away from the app, no new windows, links to the system
 * browser (http/https only), no permission prompts, and IPC accepted only from our main frame.
 */
import { app, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';

export function isExternalLinkAllowed(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export function hardenWebContents(rendererUrl: string): void {
  const appOrigin = new URL(rendererUrl).origin;
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalLinkAllowed(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (url !== rendererUrl && new URL(url).origin !== appOrigin) {
        event.preventDefault();
        if (isExternalLinkAllowed(url)) void shell.openExternal(url);
      } else if (url !== rendererUrl && appOrigin === 'file://') {
        event.preventDefault();
      }
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  });
}

/** Only the main frame of one of our windows, showing our renderer, may call the API. */
export function isTrustedSender(event: IpcMainInvokeEvent, rendererUrl: string, windows: Set<WebContents>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !windows.has(event.sender)) return false;
  try {
    const expected = new URL(rendererUrl);
    const actual = new URL(frame.url);
    if (expected.protocol === 'file:') return actual.protocol === 'file:' && actual.pathname === expected.pathname;
    return actual.origin === expected.origin;
  } catch {
    return false;
  }
}
