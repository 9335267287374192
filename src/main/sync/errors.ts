/**
 * Why talking to the team server failed, as a SyncError: a code a view can act on and a sentence
 * that names what to do. Built from what pg and Node actually report (SQLSTATEs, socket error
 * codes, TLS verification codes), never from guesses about the message text alone.
 */
import { ConfabError } from '@shared/errors';
import type { SyncError, SyncErrorCode } from '@shared/types';
import { InvalidServerUrl } from './connection';
import { SyncRefused } from '@shared/sync/round';
import { SYNC_ERROR_SENTENCES } from '@shared/sync/sentences';

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'EPIPE',
  'ENETDOWN',
  'EHOSTDOWN',
]);

// Node's TLS verification codes (a certificate this device does not trust or that is not the host's).
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Codes a later retry cannot fix by itself (the user or the admin must act). */
export const NEEDS_ACTION: ReadonlySet<SyncErrorCode> = new Set([
  'auth',
  'tls',
  'not_initialised',
  'client_too_old',
  'server_too_old',
  'not_a_member',
  'invalid_url',
]);

export function syncError(code: SyncErrorCode, detail?: string): SyncError {
  return { code, message: detail ? `${SYNC_ERROR_SENTENCES[code]} (${detail})` : SYNC_ERROR_SENTENCES[code] };
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

function codeOf(err: unknown): string {
  return typeof (err as ErrorLike)?.code === 'string' ? ((err as ErrorLike).code as string) : '';
}

function messageOf(err: unknown): string {
  return typeof (err as ErrorLike)?.message === 'string' ? ((err as ErrorLike).message as string) : String(err);
}

export function classifySyncFailure(err: unknown): SyncErrorCode {
  if (err instanceof InvalidServerUrl) return 'invalid_url';
  if (err instanceof SyncRefused) return err.status;
  // A connect to a host with several addresses fails with an AggregateError of socket errors.
  const nested = (err as ErrorLike)?.errors;
  if (Array.isArray(nested) && nested.length > 0) return classifySyncFailure(nested[0]);
  const code = codeOf(err);
  const message = messageOf(err);
  if (code === '28P01') return 'auth';
  if (code === '28000') {
    // pg_hba refusing a connection for its (lack of) encryption is a TLS matter; otherwise the
    // role may not log in (no such role, or not allowed from here).
    return /SSL|encryption|GSS/i.test(message) ? 'tls' : 'auth';
  }
  if (SOCKET_CODES.has(code)) return 'unreachable';
  if (TLS_CODES.has(code) || /does not support SSL|SSL connection|certificate|TLS/i.test(message)) return 'tls';
  if (/timeout|terminated unexpectedly|Connection terminated/i.test(message)) return 'unreachable';
  // No sync schema or functions (42883 undefined_function, 3F000 invalid_schema_name, 42P01 table).
  if ((code === '3F000' || code === '42883' || code === '42P01') && /sync/i.test(message)) return 'not_initialised';
  // EXECUTE on the sync functions is granted to confab_member only.
  if (code === '42501' && /sync|hello|push|pull/i.test(message)) return 'not_a_member';
  if (code === '3D000') return 'other';
  if (code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08')) return 'unreachable';
  return 'other';
}

/** The SyncError for a failure; 'other' keeps a short detail so the admin has something to go on. */
export function toSyncError(err: unknown): SyncError {
  const code = classifySyncFailure(err);
  // Its own sentence says what is wrong with the string (no host, an unknown sslmode...).
  if (err instanceof InvalidServerUrl) return { code, message: err.message };
  if (code === 'other') {
    if (codeOf(err) === '3D000') {
      return {
        code,
        message: 'The database named in the connection string does not exist on that server: check its name.',
      };
    }
    return syncError(code, err instanceof ConfabError ? err.message : messageOf(err).slice(0, 200));
  }
  return syncError(code);
}
