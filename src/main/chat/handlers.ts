/**
 * The contract's providers.*, settings.* and chat.* methods. Kept apart from the core handler
 * map so the chat engine can change without touching the other domains.
 */
import type { MethodName } from '@shared/contract';
import type { HandlerMap } from '../core/dispatch';
import type { ChatRunner } from './runner';
import type { ProviderService } from './providerService';
import type { ChatSettingsStore } from './settings';

export type ChatMethod = Extract<MethodName, `providers.${string}` | `settings.${string}` | `chat.${string}`>;
export type ChatHandlerMap = Pick<HandlerMap, ChatMethod>;

export function createChatHandlers(deps: {
  providers: ProviderService;
  settings: ChatSettingsStore;
  runner: ChatRunner;
}): ChatHandlerMap {
  const { providers, settings, runner } = deps;
  return {
    'providers.presets': async () => providers.presets(),
    'providers.list': () => providers.list(),
    'providers.create': (i) => providers.create(i),
    'providers.update': (i) => providers.update(i),
    'providers.delete': (i) => providers.delete(i.id),
    'providers.models': (i) => providers.models(i.id),
    'providers.detectLocal': () => providers.detectLocal(),

    'settings.getChat': () => settings.get(),
    'settings.setChat': async (i) => {
      // A default that names no provider would fail every new chat; refuse it here instead.
      if (i.defaultProviderId) await providers.get(i.defaultProviderId);
      return settings.set(i);
    },

    'chat.send': (i) => runner.send(i),
    'chat.stop': (i) => runner.stop(i.sessionId),
    'chat.regenerate': (i) => runner.regenerate(i),
    'chat.edit': (i) => runner.edit(i),
    'chat.active': async () => ({ sessionIds: runner.activeSessionIds() }),
  };
}
