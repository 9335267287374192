import { useAppStore } from '../../app/context';
import { providersOf } from '../settings/store';

/**
 * Said before sending rather than after: with no provider a message is still saved (and its
 * reply offers a retry), but the user should know where to go first.
 */
export function ProviderNotice({ sessionId }: { sessionId: string }) {
  const ready = useAppStore((s) => s.providers.status === 'ready');
  const hasProviders = useAppStore((s) => providersOf(s).some((p) => p.enabled));
  const hasTarget = useAppStore(
    (s) => !!(s.sessionsById[sessionId]?.providerId ?? s.chatSettings.data?.defaultProviderId),
  );
  const openSettings = useAppStore((s) => s.openSettings);
  if (!ready || hasTarget) return null;
  return (
    <div className="provider-notice" role="note">
      <p>
        {hasProviders
          ? 'No model is chosen for this chat. Pick one above, or choose a default provider in Settings.'
          : 'No model provider is set up yet. Add one (OpenAI, Anthropic, Ollama, LM Studio…) to get replies; what you write here is kept.'}
      </p>
      <button type="button" className="button" onClick={openSettings}>
        {hasProviders ? 'Open settings' : 'Set up a provider'}
      </button>
    </div>
  );
}
