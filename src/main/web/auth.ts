/**
 * The web host's gate. A WebSocket is not protected by CORS, so without these checks any page the
 * user visits could connect to 127.0.0.1 and read every chat:
 *  - a random per-start token (query parameter once, then an HttpOnly SameSite=Strict cookie);
 *  - the Host header must name loopback and our port (defeats DNS rebinding);
 *  - the Origin of a WebSocket must be our own page.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_COOKIE, TOKEN_PARAM } from '@shared/wire';

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return safeDecode(rest.join('='));
  }
  return null;
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null; // malformed percent-encoding: no token, never an exception
  }
}

/**
 * The request target as a URL on our own origin. A target starting with '//' would otherwise be
 * read as another host ('//evil.example/x'), so the path is appended to a fixed origin.
 */
function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  if (!target.startsWith('/')) return null;
  try {
    return new URL(`http://127.0.0.1${target}`);
  } catch {
    return null;
  }
}

/** The decoded path of the request, or null when its percent-encoding is malformed. */
export function requestPath(req: IncomingMessage): string | null {
  const url = requestUrl(req);
  return url ? safeDecode(url.pathname) : null;
}

export function queryToken(req: IncomingMessage): string | null {
  return requestUrl(req)?.searchParams.get(TOKEN_PARAM) ?? null;
}

export interface GateResult {
  ok: boolean;
  status: number;
  reason: string;
  /** The token came in the query: set the cookie so later requests carry it. */
  fromQuery: boolean;
}

export function checkRequest(req: IncomingMessage, token: string, port: number, kind: 'http' | 'ws'): GateResult {
  const deny = (status: number, reason: string): GateResult => ({ ok: false, status, reason, fromQuery: false });
  if (!allowedHosts(port).has(req.headers.host ?? '')) return deny(421, 'Unexpected Host header.');
  const origin = req.headers.origin;
  if (kind === 'ws' && (!origin || !allowedOrigins(port).has(origin))) return deny(403, 'Foreign origin.');
  if (kind === 'http' && origin && !allowedOrigins(port).has(origin)) return deny(403, 'Foreign origin.');
  const fromQuery = queryToken(req);
  const presented = fromQuery ?? cookieToken(req);
  if (!presented || !safeEqual(presented, token)) return deny(401, 'Missing or wrong token.');
  return { ok: true, status: 200, reason: '', fromQuery: fromQuery !== null };
}
