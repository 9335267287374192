/**
 * Target resolution: which provider, model and connection a chat's reply goes to. The chat's own
 * choice wins, then the app's default, then the provider's. A chat that cannot be answered gets a
 * reason (no provider, turned off, key locked) that becomes the reply's error, not an exception.
 */
import { ConfabError } from '@shared/errors';
import type { ProviderConfig, SessionSummary } from '@shared/types';
import { describeReplyError, errorSubject, type ReplyErrorCode } from '../chat/errors';
import type { ChatSettingsStore } from '../settings/chatSettings';
import type { ProviderService } from './service';
import type { ProviderConnection } from './types';

export type Target =
  | { ok: true; config: ProviderConfig; connection: ProviderConnection; model: string; budget: number }
  | { ok: false; code: ReplyErrorCode; message: string; providerId: string | null; model: string | null };

export async function resolveTarget(
  session: SessionSummary,
  deps: { settings: ChatSettingsStore; providers: ProviderService },
): Promise<Target> {
  const settings = await deps.settings.get();
  const providerId = session.providerId ?? settings.defaultProviderId;
  const fail = (code: ReplyErrorCode, message: string, model: string | null = session.model): Target => ({
    ok: false,
    code,
    message,
    providerId,
    model,
  });
  if (!providerId) return fail('no_provider', describeReplyError('no_provider', errorSubject(null, '')));
  let config: ProviderConfig;
  try {
    config = await deps.providers.get(providerId);
  } catch (err) {
    if (err instanceof ConfabError && (err.code === 'not_found' || err.code === 'invalid_input')) {
      return fail('no_provider', 'The provider chosen for this chat is no longer set up. Choose another, then retry.');
    }
    throw err;
  }
  const model =
    session.model ??
    (providerId === settings.defaultProviderId ? settings.defaultModel : null) ??
    config.defaultModel ??
    config.models[0] ??
    null;
  if (!config.enabled) {
    return fail('provider_disabled', describeReplyError('provider_disabled', errorSubject(config, model ?? '')), model);
  }
  if (!model)
    return fail('no_provider', `No model is chosen for this chat. Choose one of ${config.name}'s models, then retry.`);
  let connection: ProviderConnection;
  try {
    connection = await deps.providers.connection(config);
  } catch (err) {
    if (err instanceof ConfabError && err.code === 'secrets_unavailable') {
      return fail('key_unavailable', describeReplyError('key_unavailable', errorSubject(config, model)), model);
    }
    throw err;
  }
  return { ok: true, config, connection, model, budget: config.contextBudget ?? settings.contextBudget };
}
