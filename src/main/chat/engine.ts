/**
 * The chat engine as the core builds it: provider settings, chat settings and the generation
 * runner over one DB client, plus the handlers of their three domains. The host supplies the
 * secret cipher.
 */
import type { DbClient } from '../db/client';
import type { Emitter, HandlerSlice } from '../kit/handlers';
import { providersHandlers } from '../providers/handlers';
import { adoptLocalProviders } from '../providers/localDetection';
import { ProviderService } from '../providers/service';
import type { ProviderToolkit } from '../providers/toolkit';
import { unavailableCipher, type SecretCipher } from '../secrets/cipher';
import { ChatSettingsStore } from '../settings/chatSettings';
import { settingsHandlers } from '../settings/handlers';
import { chatHandlers } from './handlers';
import { ChatRunner, type RunnerOptions } from './runner';
import type { AttachmentContextSource } from '../attachments/context';
import type { ToolSource } from '../tools/loop';

export interface ChatEngineOptions {
  db: DbClient;
  events: Emitter;
  toolkit: ProviderToolkit;
  cipher?: SecretCipher;
  runner?: RunnerOptions;
  attachments?: AttachmentContextSource;
  tools?: ToolSource;
}

export type ChatEngineHandlers = HandlerSlice<'chat'> & HandlerSlice<'providers'> & HandlerSlice<'settings'>;

export interface ChatEngine {
  providers: ProviderService;
  settings: ChatSettingsStore;
  runner: ChatRunner;
  handlers: ChatEngineHandlers;
  /** Startup work that must not delay the window: local provider detection. */
  adoptLocalProviders(): Promise<string[]>;
  shutdown(): Promise<void>;
}

export function createChatEngine(options: ChatEngineOptions): ChatEngine {
  const { db, events, toolkit } = options;
  const settings = new ChatSettingsStore(db);
  const providers = new ProviderService(db, options.cipher ?? unavailableCipher, toolkit, settings);
  const runner = new ChatRunner({
    db,
    events,
    providers,
    settings,
    toolkit,
    options: options.runner,
    attachments: options.attachments,
    tools: options.tools,
  });
  return {
    providers,
    settings,
    runner,
    handlers: { ...chatHandlers(runner), ...providersHandlers(providers), ...settingsHandlers(settings, providers) },
    adoptLocalProviders: () => adoptLocalProviders(db, providers, settings).catch(() => []),
    shutdown: () => runner.shutdown(),
  };
}
