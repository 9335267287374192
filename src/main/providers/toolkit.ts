/**
 * What the chat engine needs from the provider adapters, gathered in one object so that the
 * engine can be tested with stand-ins and the adapters can change without touching the runner.
 */
import type { DetectedProvider, ProviderPresetInfo } from '@shared/types';
import type { ChatProvider, ProviderConnection } from './types';

export interface ProviderToolkit {
  presets: readonly ProviderPresetInfo[];
  createProvider(connection: ProviderConnection): ChatProvider;
  /** Local servers that answer right now; never throws (absence is normal). */
  detectLocal(signal: AbortSignal): Promise<DetectedProvider[]>;
}
