import { useAppStore } from '../../app/context';
import { providersOf } from '../settings/store';

/**
 * The start view's word on models: with none set up, that Confab needs one and where to add it;
 * with a server found on this computer (added quietly at startup), which one answers.
 */
export function FirstRunNotice() {
  const ready = useAppStore((s) => s.providers.status === 'ready');
  const providers = useAppStore(providersOf);
  const defaultId = useAppStore((s) => s.chatSettings.data?.defaultProviderId ?? null);
  const addProvider = useAppStore((s) => s.openSettingsToAddProvider);
  if (!ready) return null;
  if (providers.length === 0) {
    return (
      <section className="first-run" aria-labelledby="first-run-title">
        <h2 id="first-run-title">Add a model to start</h2>
        <p>
          Confab needs a model to chat with: a cloud service with its API key (OpenAI, Anthropic, OpenRouter), or one
          running on this computer (Ollama, LM Studio, a llama.cpp server). None was found here yet.
        </p>
        <button type="button" className="button button--primary" onClick={addProvider}>
          Add a provider
        </button>
      </section>
    );
  }
  const local = providers.find((p) => p.isLocal && p.enabled && p.id === defaultId);
  if (!local || providers.length > 1) return null;
  return (
    <section className="first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">Ready with {local.name}</h2>
      <p>
        Found on this computer at {local.baseUrl}
        {local.defaultModel ? `, using ${local.defaultModel}` : ''}. Chats stay on this machine. Add a cloud provider
        any time in Settings.
      </p>
    </section>
  );
}
