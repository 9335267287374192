/**
 * Turns whatever the SDKs or the network throw into a ProviderError with a sentence a user can
 * act on. Both SDKs are Stainless-generated and share error shapes (status, headers, error body),
 * so one duck-typed mapper serves both without importing either SDK here.
 *
 * Messages never carry the key, a URL query, a stack or raw server text beyond a short,
 * scrubbed detail: servers do echo keys back (OpenAI's 401 quotes part of it).
 */
import { ProviderError, type ProviderErrorCode } from '../types';

export interface ErrorContext {
  /** 'request' until response headers arrive; 'stream' once the body is being read. */
  phase: 'request' | 'stream';
  baseUrl: string;
  /** The caller's signal: once it is aborted, any failure is the user's Stop. */
  signal?: AbortSignal;
  /** The idle watchdog fired; the abort it caused is a timeout, not a Stop. */
  timedOut?: boolean;
  idleTimeoutMs?: number;
  apiKey: string | null;
  model?: string;
  isLocal?: boolean;
  /** A 404 on the model list means the server has no list, not that a model is missing. */
  operation?: 'chat' | 'listModels';
}

export function listErrorContext(
  connection: { baseUrl: string; apiKey: string | null; isLocal: boolean },
  signal: AbortSignal,
): ErrorContext {
  return {
    phase: 'request',
    baseUrl: connection.baseUrl,
    signal,
    apiKey: connection.apiKey,
    isLocal: connection.isLocal,
    operation: 'listModels',
  };
}

/** Connection-level failures that mean "nothing answered", as opposed to a dropped conversation. */
const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
]);

/** Anthropic sends errors in-band as `event: error` mid-stream; no HTTP status then, only a type. */
const TYPE_CODES: Record<string, ProviderErrorCode> = {
  authentication_error: 'auth',
  permission_error: 'auth',
  not_found_error: 'model_not_found',
  rate_limit_error: 'rate_limited',
  overloaded_error: 'server',
  api_error: 'server',
  server_error: 'server',
  invalid_request_error: 'bad_request',
};

export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || 'the server';
  } catch {
    return 'the server';
  }
}

export function cancelledError(): ProviderError {
  return new ProviderError('cancelled', 'Stopped before the reply finished.');
}

export function timeoutError(ctx: Pick<ErrorContext, 'baseUrl' | 'idleTimeoutMs'>): ProviderError {
  const seconds = ctx.idleTimeoutMs === undefined ? '' : ` for ${formatSeconds(ctx.idleTimeoutMs)}`;
  return new ProviderError(
    'timeout',
    `${hostOf(ctx.baseUrl)} sent nothing${seconds}, so the request timed out. Try again.`,
  );
}

export function disconnectedError(ctx: Pick<ErrorContext, 'baseUrl'>): ProviderError {
  return new ProviderError(
    'disconnected',
    `The connection to ${hostOf(ctx.baseUrl)} broke before the reply finished. The partial reply was kept.`,
  );
}

export function toProviderError(err: unknown, ctx: ErrorContext): ProviderError {
  if (err instanceof ProviderError) return err;
  if (ctx.signal?.aborted) {
    // A caller's AbortSignal.timeout() is a deadline, not a Stop.
    return isTimeoutReason(ctx.signal.reason) ? timeoutError(ctx) : cancelledError();
  }
  if (ctx.timedOut) return timeoutError(ctx);

  const status = numberField(err, 'status');
  if (status !== undefined) return fromStatus(status, err, ctx);

  const type = apiErrorType(err);
  if (type !== undefined && TYPE_CODES[type]) return fromStatus(undefined, err, ctx, TYPE_CODES[type]);

  const chain = causeChain(err);
  if (chain.some((e) => /timed? ?out/i.test(e.name) || /timed? ?out/i.test(e.message))) return timeoutError(ctx);
  if (ctx.phase === 'stream') return disconnectedError(ctx);
  // undici wraps both "refused" and "reset" in the same 'fetch failed', so the cause's code decides first.
  if (chain.some((e) => e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET' || e.message === 'terminated')) {
    return disconnectedError(ctx);
  }
  const unreachable = (e: ChainLink) =>
    (e.code !== undefined && OFFLINE_CODES.has(e.code)) ||
    e.message === 'fetch failed' ||
    e.name === 'APIConnectionError' ||
    e.message === 'Connection error.';
  if (chain.some(unreachable)) {
    const hint = ctx.isLocal ? 'Check that the server is running.' : 'Check your network connection.';
    return new ProviderError('offline', `Could not reach ${hostOf(ctx.baseUrl)}. ${hint}`);
  }
  return new ProviderError('server', `${hostOf(ctx.baseUrl)} sent a reply Confab could not read.`);
}

function fromStatus(
  status: number | undefined,
  err: unknown,
  ctx: ErrorContext,
  forced?: ProviderErrorCode,
): ProviderError {
  const code = forced ?? codeForStatus(status ?? 0);
  const retryAfterMs = code === 'rate_limited' ? parseRetryAfterMs(headersOf(err)) : undefined;
  const detail = code === 'bad_request' ? scrubDetail(apiErrorMessage(err), ctx.apiKey) || undefined : undefined;
  return new ProviderError(code, statusMessage(code, status, err, ctx, retryAfterMs), status, retryAfterMs, detail);
}

function statusMessage(
  code: ProviderErrorCode,
  status: number | undefined,
  err: unknown,
  ctx: ErrorContext,
  retryAfterMs: number | undefined,
): string {
  const host = hostOf(ctx.baseUrl);
  const shown = status === undefined ? '' : ` (${status})`;
  switch (code) {
    case 'auth':
      if (status === 403) {
        return `The API key was refused${shown}: it is not allowed to do this. Check the key and its permissions in provider settings.`;
      }
      return ctx.apiKey
        ? `The API key was refused by ${host}${shown}. Check the key in provider settings.`
        : `${host} needs an API key${shown}. Add one in provider settings.`;
    case 'model_not_found': {
      if (ctx.operation === 'listModels')
        return `${host} does not offer a model list${shown}. Type the model name instead.`;
      const model = ctx.model ? `The model "${scrubDetail(ctx.model, ctx.apiKey, 100)}"` : 'That model';
      return `${model} was not found on ${host}${shown}. Pick another model or check its name.`;
    }
    case 'rate_limited': {
      const wait = retryAfterMs === undefined ? 'Wait a moment' : `Try again in ${formatSeconds(retryAfterMs)}`;
      return `${host} is limiting requests${shown}. ${wait}, or check your plan's limits.`;
    }
    case 'bad_request': {
      // The server's own words are the only useful hint for a 400, so they stay, scrubbed.
      const detail = scrubDetail(apiErrorMessage(err), ctx.apiKey);
      return `${host} rejected the request${shown}${detail ? `: ${detail}` : '.'}`;
    }
    default:
      return `${host} had a problem${shown}. Try again in a moment.`;
  }
}

function codeForStatus(status: number): ProviderErrorCode {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'model_not_found';
  if (status === 429) return 'rate_limited';
  if (status === 400 || status === 422 || status === 413) return 'bad_request';
  return 'server';
}

/**
 * `retry-after-ms` (OpenAI) wins over `retry-after`, which is either seconds or an HTTP date.
 * A date in the past means "now" (0), not "no hint".
 */
export function parseRetryAfterMs(
  headers: { get(name: string): string | null } | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Keeps server wording useful for a 400 while making sure no secret or query string rides along. */
export function scrubDetail(text: string | undefined, apiKey: string | null, max = 200): string {
  if (!text) return '';
  let out = text;
  if (apiKey) out = out.split(apiKey).join('[key]');
  out = out
    .replace(/(https?:\/\/)[^\s/@]+@/gi, '$1') // userinfo in URLs
    .replace(/(https?:\/\/[^\s?#"'<>]+)[?#][^\s"'<>]*/gi, '$1') // query strings and fragments
    .replace(/\b(?:sk|pk|rk|ak|key|api|sess|token)[-_][A-Za-z0-9_-]{6,}/gi, '[key]')
    .replace(/[A-Za-z0-9_\-+/=]{32,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

interface ChainLink {
  name: string;
  message: string;
  code: string | undefined;
}

function causeChain(err: unknown): ChainLink[] {
  const links: ChainLink[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    const className = (current as object).constructor?.name;
    links.push({
      name: typeof record.name === 'string' && record.name !== 'Error' ? record.name : (className ?? ''),
      message: typeof record.message === 'string' ? record.message : '',
      code: typeof record.code === 'string' ? record.code : undefined,
    });
    current = record.cause;
  }
  return links;
}

function numberField(err: unknown, field: string): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const value = (err as Record<string, unknown>)[field];
  return typeof value === 'number' ? value : undefined;
}

function headersOf(err: unknown): { get(name: string): string | null } | undefined {
  const headers = typeof err === 'object' && err !== null ? (err as { headers?: unknown }).headers : undefined;
  return headers && typeof (headers as Headers).get === 'function' ? (headers as Headers) : undefined;
}

/** The body's error object: OpenAI puts it at `error`, Anthropic at `error.error`. */
function apiErrorObject(err: unknown): Record<string, unknown> | undefined {
  const body = typeof err === 'object' && err !== null ? (err as { error?: unknown }).error : undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const inner = (body as { error?: unknown }).error;
  return (typeof inner === 'object' && inner !== null ? inner : body) as Record<string, unknown>;
}

function apiErrorType(err: unknown): string | undefined {
  const type = apiErrorObject(err)?.type;
  return typeof type === 'string' ? type : undefined;
}

function apiErrorMessage(err: unknown): string | undefined {
  const message = apiErrorObject(err)?.message;
  return typeof message === 'string' ? message : undefined;
}
