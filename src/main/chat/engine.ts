/**
 * The chat engine as the core builds it: provider settings, chat settings and the generation
 * runner over one DB client, plus its contract handlers. The host supplies the secret cipher.
 */
import type { DbClient } from '../db/client';
import type { CoreEvents } from '../core/events';
import { unavailableCipher, type SecretCipher } from '../secrets/cipher';
import { createChatHandlers, type ChatHandlerMap } from './handlers';
import { adoptLocalProviders } from './localDetection';
import { ProviderService } from './providerService';
import { ChatRunner, type RunnerOptions } from './runner';
import { ChatSettingsStore } from './settings';
import type { ProviderToolkit } from './toolkit';

export interface ChatEngineOptions {
  db: DbClient;
  events: CoreEvents;
  toolkit: ProviderToolkit;
  cipher?: SecretCipher;
  runner?: RunnerOptions;
}

export interface ChatEngine {
  providers: ProviderService;
  settings: ChatSettingsStore;
  runner: ChatRunner;
  handlers: ChatHandlerMap;
  /** Startup work that must not delay the window: local provider detection. */
  adoptLocalProviders(): Promise<string[]>;
  shutdown(): Promise<void>;
}

export function createChatEngine(options: ChatEngineOptions): ChatEngine {
  const { db, events, toolkit } = options;
  const settings = new ChatSettingsStore(db);
  const providers = new ProviderService(db, options.cipher ?? unavailableCipher, toolkit, settings);
  const runner = new ChatRunner({ db, events, providers, settings, toolkit, options: options.runner });
  return {
    providers,
    settings,
    runner,
    handlers: createChatHandlers({ providers, settings, runner }),
    adoptLocalProviders: () => adoptLocalProviders(db, providers, settings).catch(() => []),
    shutdown: () => runner.shutdown(),
  };
}
