/**
 * The team server connection: a PostgreSQL URL turned into a `pg` client configuration, with TLS
 * as its `sslmode` asks (libpq's meanings, not pg's looser ones), and the URL as shown to a user
 * (never with its password). The password stays in the main process.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ConfabError } from '@shared/errors';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface ParsedServerUrl {
  host: string;
  port: number;
  database: string;
  user: string;
  sslMode: SslMode;
  /** The URL without its password (and without a password query parameter). */
  display: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export class InvalidServerUrl extends ConfabError {
  constructor(reason: string) {
    super(
      'invalid_input',
      `That is not a PostgreSQL connection string (${reason}); it looks like postgres://user:password@host/database.`,
    );
  }
}

export function parseServerUrl(url: string): ParsedServerUrl {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new InvalidServerUrl('it cannot be read as a URL');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new InvalidServerUrl('it must start with postgres://');
  if (!u.hostname) throw new InvalidServerUrl('it names no host');
  const requested = u.searchParams.get('sslmode');
  if (requested !== null && !SSL_MODES.includes(requested as SslMode)) {
    throw new InvalidServerUrl(`sslmode must be one of ${SSL_MODES.join(', ')}`);
  }
  // SYNC.md: verify-full by default; a server on this machine is reached in the clear unless the
  // URL asks otherwise (a local test server has no certificate).
  const sslMode = (requested as SslMode | null) ?? (LOCAL_HOSTS.has(u.hostname) ? 'disable' : 'verify-full');
  const shown = new URL(u.toString());
  shown.password = '';
  shown.searchParams.delete('password');
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 5432,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username),
    user: decodeURIComponent(u.username),
    sslMode,
    display: shown.toString(),
  };
}

/** pg's `ssl` option for a libpq sslmode ('prefer' and 'allow' cannot fall back in pg: they try TLS). */
function sslOption(u: URL, mode: SslMode): false | ConnectionOptions {
  if (mode === 'disable') return false;
  const ca = u.searchParams.get('sslrootcert');
  const options: ConnectionOptions = ca ? { ca: readFileSync(ca, 'utf8') } : {};
  if (mode === 'verify-full') return { ...options, rejectUnauthorized: true };
  // verify-ca: the chain is checked, the host name is not.
  if (mode === 'verify-ca') return { ...options, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...options, rejectUnauthorized: false };
}

export interface ServerClientOptions {
  connectTimeoutMs?: number;
}

/** A client for the URL (not yet connected). Errors on the idle connection are the caller's to watch. */
export function serverClient(url: string, options: ServerClientOptions = {}): pg.Client {
  const parsed = parseServerUrl(url);
  const u = new URL(url.trim());
  // pg reads ssl* parameters with its own meanings; ours replace them.
  for (const key of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat']) u.searchParams.delete(key);
  return new pg.Client({
    connectionString: u.toString(),
    ssl: sslOption(new URL(url.trim()), parsed.sslMode),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    keepAlive: true,
    application_name: 'confab',
  });
}
