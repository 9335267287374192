import type { ChatProvider, ProviderConnection } from '../types';
import { createAnthropicProvider } from './anthropic';
import type { ProviderOptions } from './common';
import { createOpenAiCompatibleProvider } from './openaiCompatible';

export type { ProviderOptions } from './common';

/** Providers are cheap (a client per request), so callers may create one per send. */
export function createProvider(connection: ProviderConnection, options: ProviderOptions = {}): ChatProvider {
  switch (connection.kind) {
    case 'openai':
      return createOpenAiCompatibleProvider(connection, options);
    case 'anthropic':
      return createAnthropicProvider(connection, options);
    default:
      throw new Error(`Unknown provider kind: ${String((connection as { kind: unknown }).kind)}`);
  }
}
