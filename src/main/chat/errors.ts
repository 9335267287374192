/**
 * Turning provider failures into sentences a user understands. The codes are stored on the
 * message and the run (the UI branches on them, never on the text); the text says what
 * happened and what to do. Provider detail is added only where it helps (a refused request),
 * and only after every secret has been cut out of it.
 */
import { formatLimit, MESSAGE_MAX_CHARS } from '@shared/limits';
import { ProviderError, type ProviderErrorCode } from '../providers/types';

/** Failure codes beyond the providers' own, for replies that never reached a provider. */
export type RunnerErrorCode = 'no_provider' | 'provider_disabled' | 'key_unavailable' | 'too_long' | 'internal';
export type ReplyErrorCode = ProviderErrorCode | RunnerErrorCode;

export interface ErrorSubject {
  providerName: string;
  model: string;
  baseUrl: string;
  isLocal: boolean;
  /** Values that must never appear in a stored or shown message (the API key). */
  secrets: readonly (string | null | undefined)[];
  idleTimeoutMs?: number;
}

const DETAIL_CHARS = 300;

/** Who a sentence is about: the provider, model and address, and the secrets to keep out of it. */
export function errorSubject(
  config: { name: string; baseUrl: string; isLocal: boolean } | null,
  model: string,
  apiKey: string | null = null,
  idleTimeoutMs?: number,
): ErrorSubject {
  return {
    providerName: config?.name ?? 'The provider',
    model,
    baseUrl: config?.baseUrl ?? '',
    isLocal: config?.isLocal ?? false,
    secrets: [apiKey],
    idleTimeoutMs,
  };
}

/** Removes every occurrence of each secret (and of its longer fragments, as APIs echo keys half-masked). */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
    // "Incorrect API key provided: sk-abc***********wxyz": the visible ends are still the key's.
    if (secret.length >= 12) {
      for (const piece of [secret.slice(0, 8), secret.slice(-8)]) out = out.split(piece).join('[redacted]');
    }
  }
  return out;
}

export function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof Error && err.name === 'AbortError') return new ProviderError('cancelled', 'Stopped.');
  return new ProviderError('server', err instanceof Error ? err.message : 'Unknown failure');
}

export function describeReplyError(code: ReplyErrorCode, subject: ErrorSubject, err?: ProviderError): string {
  const name = subject.providerName;
  // Only the server's own words ride along (for a refused request), never another sentence: the
  // adapters' messages are for logs, and this is the one place a user's sentence is written.
  const detail = err?.detail
    ? redact(err.detail, subject.secrets).replace(/\s+/g, ' ').trim().slice(0, DETAIL_CHARS)
    : '';
  switch (code) {
    case 'auth':
      return `${name} did not accept the API key. Check the key in the provider settings, then retry.`;
    case 'model_not_found':
      return `${name} does not offer the model "${subject.model}". Choose another model for this chat, then retry.`;
    case 'rate_limited':
      return `${name} is limiting requests right now (rate limit or quota). Wait a little, then retry.`;
    case 'server':
      return `${name} had a problem on its side${err?.status ? ` (HTTP ${err.status})` : ''}. Retry in a moment.`;
    case 'timeout': {
      const seconds = subject.idleTimeoutMs ? ` for ${Math.round(subject.idleTimeoutMs / 1000)} seconds` : '';
      return `${name} stopped responding${seconds}. Retry, or check that the server is working.`;
    }
    case 'offline':
      return subject.isLocal
        ? `Confab could not reach ${name} at ${subject.baseUrl}. Check that it is running, then retry.`
        : `You seem to be offline: Confab could not reach ${name}. Retry once you are back online.`;
    case 'disconnected':
      return `The connection to ${name} broke during the reply. The text so far is kept; retry for a full answer.`;
    case 'bad_request':
      return `${name} refused the request${detail ? `: ${/[.!?]$/.test(detail) ? detail : `${detail}.`}` : '.'}`;
    case 'cancelled':
      return 'Stopped.';
    case 'no_provider':
      return 'No model is chosen for this chat. Set up a provider and choose a model, then retry.';
    case 'provider_disabled':
      return `${name} is turned off in the provider settings. Turn it on or choose another provider, then retry.`;
    case 'key_unavailable':
      return `The saved API key for ${name} could not be unlocked. Enter the key again in the provider settings, then retry.`;
    case 'too_long':
      return `The reply reached the ${formatLimit(MESSAGE_MAX_CHARS)}-character limit of a message and was stopped there. The text so far is kept.`;
    case 'internal':
      return 'Something went wrong inside Confab while writing this reply. Retry.';
  }
}

/**
 * Why a provider's model list could not be read, for Settings and the model picker: about the
 * provider and its list, never about a model or a chat (there is none when listing).
 */
export function describeModelListError(code: ReplyErrorCode, subject: ErrorSubject): string {
  const name = subject.providerName;
  const fallback = 'The models typed in its settings are offered instead.';
  switch (code) {
    case 'auth':
      return `${name} did not accept the API key, so its models could not be listed. Check the key. ${fallback}`;
    case 'key_unavailable':
      return `The saved API key for ${name} could not be unlocked. Enter the key again. ${fallback}`;
    case 'model_not_found':
      return `${name} does not offer a list of models. Type the model names in its settings.`;
    case 'offline':
      return subject.isLocal
        ? `Confab could not reach ${name} at ${subject.baseUrl}. Check that it is running. ${fallback}`
        : `Confab could not reach ${name}; you seem to be offline. ${fallback}`;
    case 'timeout':
      return `${name} took too long to list its models. ${fallback}`;
    case 'rate_limited':
      return `${name} is limiting requests right now, so its models could not be listed. ${fallback}`;
    default:
      return `${name} could not list its models just now. ${fallback}`;
  }
}
