/** settings.*: app-wide chat settings (auto titles, the default model, the context budget). */
import type { HandlerSlice } from '../kit/handlers';
import type { ProviderService } from '../providers/service';
import type { ChatSettingsStore } from './chatSettings';

export function settingsHandlers(settings: ChatSettingsStore, providers: ProviderService): HandlerSlice<'settings'> {
  return {
    'settings.getChat': () => settings.get(),
    'settings.setChat': async (i) => {
      // A default that names no provider would fail every new chat; refuse it here instead.
      if (i.defaultProviderId) await providers.get(i.defaultProviderId);
      return settings.set(i);
    },
  };
}
