/**
 * The web host: the same core as the Electron app, serving the built renderer over HTTP and the
 * API over a WebSocket, bound to loopback only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_MAX_FRAME_BYTES } from '@shared/limits';
import { toErrorData } from '@shared/errors';
import { TOKEN_COOKIE, WS_PATH, type ClientFrame, type ServerFrame } from '@shared/wire';
import type { ServedApi } from '../core/startup';
import { dispatch } from '../core/dispatch';
import { checkRequest, requestPath } from './auth';
import { securityHeaders, serveStatic } from './static';

export interface WebHost {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}


function parseFrame(data: string): ClientFrame | null {
  try {
    const frame = JSON.parse(data) as Partial<ClientFrame>;
    if (frame.type !== 'call' || !Number.isSafeInteger(frame.id) || typeof frame.method !== 'string') return null;
    return frame as ClientFrame;
  } catch {
    return null;
  }
}

/** Collapses leading slashes and backslashes, which browsers read as another host. */
export function ownPath(pathname: string): string {
  return `/${pathname.replace(/^[/\\]+/, '')}`;
}

export async function startWebHost(core: ServedApi, options: { port: number; rendererDir: string; token?: string }): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = options.port;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES });

  const handleRequest = (req: IncomingMessage, res: ServerResponse) => {
    securityHeaders(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const gate = checkRequest(req, token, port, 'http');
    if (!gate.ok) {
      res.writeHead(gate.status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${gate.reason} Open the URL that \`npm run web\` printed.\n`);
      return;
    }
    const pathname = requestPath(req);
    if (pathname === null) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Malformed path.\n');
      return;
    }
    if (gate.fromQuery) {
      // Trade the token in the address bar for a cookie, so it leaves history and referrers.
      // The target is always one of our own paths: '//host/' would send the browser elsewhere.
      res.writeHead(303, {
        'Set-Cookie': `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: ownPath(pathname),
      });
      res.end();
      return;
    }
    serveStatic(options.rendererDir, pathname, res);
  };

  // No request may throw past the server: one bad request must not end every user's session.
  const server = createServer((req, res) => {
    try {
      handleRequest(req, res);
    } catch (err) {
      console.error('[web] request failed', err instanceof Error ? err.message : typeof err);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Confab could not answer this request.\n');
    }
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A peer that resets the connection mid-upgrade must not raise an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    try {
      const pathname = requestPath(req);
      const gate =
        pathname === WS_PATH ? checkRequest(req, token, port, 'ws') : { ok: false, status: 404, reason: 'Not found' };
      if (!gate.ok) {
        socket.end(`HTTP/1.1 ${gate.status} ${gate.reason}\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => acceptSocket(ws));
    } catch (err) {
      console.error('[web] upgrade failed', err instanceof Error ? err.message : typeof err);
      socket.destroy();
    }
  });

  const acceptSocket = (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // An over-size frame or invalid UTF-8 ends this socket only (ws closes it with 1009 / 1007
    // after emitting 'error'); without a listener the error would end the whole host.
    ws.on('error', (err) => {
      console.warn('[web] closed a socket:', err.message);
      sockets.delete(ws);
    });
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? null : parseFrame(data.toString());
      if (!frame) {
        ws.close(1003, 'Bad frame');
        return;
      }
      void dispatch(core.handlers, frame.method, frame.input).then((envelope) => {
        if (ws.readyState !== ws.OPEN) return;
        try {
          ws.send(JSON.stringify({ type: 'result', id: frame.id, envelope } satisfies ServerFrame));
        } catch (err) {
          // An answer that cannot be encoded is our bug; the caller still gets a typed error.
          console.error(`[web] could not send the answer to ${frame.method}`, err instanceof Error ? err.message : typeof err);
          const failed: ServerFrame = { type: 'result', id: frame.id, envelope: { ok: false, error: toErrorData(err) } };
          ws.send(JSON.stringify(failed));
        }
      });
    });
  };

  const unsubscribe = core.events.subscribe((name, payload) => {
    const text = JSON.stringify({ type: 'event', name, payload } satisfies ServerFrame);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: never 0.0.0.0, whatever PORT says.
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Browsers keep idle HTTP connections open; without this, close() waits for them forever.
      server.closeAllConnections();
      await closed;
    },
  };
}
