/**
 * The web host: the same core as the Electron app, serving the built renderer over HTTP and the
 * API over a WebSocket, bound to loopback only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { TOKEN_COOKIE, WS_PATH, type ClientFrame, type ServerFrame } from '@shared/wire';
import type { ServedApi } from '../core/startup';
import { dispatch } from '../core/dispatch';
import { checkRequest } from './auth';
import { securityHeaders, serveStatic } from './static';

export interface WebHost {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const MAX_FRAME_BYTES = 8 * 1024 * 1024;

function parseFrame(data: string): ClientFrame | null {
  try {
    const frame = JSON.parse(data) as Partial<ClientFrame>;
    if (frame.type !== 'call' || !Number.isSafeInteger(frame.id) || typeof frame.method !== 'string') return null;
    return frame as ClientFrame;
  } catch {
    return null;
  }
}

export async function startWebHost(core: ServedApi, options: { port: number; rendererDir: string; token?: string }): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = options.port;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  const server = createServer((req, res) => {
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
    const url = new URL(req.url ?? '/', 'http://x');
    if (gate.fromQuery) {
      // Trade the token in the address bar for a cookie, so it leaves history and referrers.
      res.writeHead(303, {
        'Set-Cookie': `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname,
      });
      res.end();
      return;
    }
    serveStatic(options.rendererDir, url.pathname, res);
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const gate = url.pathname === WS_PATH ? checkRequest(req, token, port, 'ws') : { ok: false, status: 404, reason: 'Not found' };
    if (!gate.ok) {
      socket.end(`HTTP/1.1 ${gate.status} ${gate.reason}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => {
        const frame = isBinary ? null : parseFrame(data.toString());
        if (!frame) {
          ws.close(1003, 'Bad frame');
          return;
        }
        void dispatch(core.handlers, frame.method, frame.input).then((envelope) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: frame.id, envelope } satisfies ServerFrame));
        });
      });
    });
  });

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
