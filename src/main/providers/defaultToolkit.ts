/** The provider adapters (src/main/chat/providers) as the chat engine uses them. */
import type { ProviderPreset } from './types';
import { detectLocalServers } from './detectLocal';
import { createProvider } from './adapters/factory';
import { PROVIDER_PRESETS } from './presets';
import type { ProviderToolkit } from './toolkit';

export interface DefaultToolkitOptions {
  /** Where to look for local servers; defaults to Ollama's and LM Studio's standard ports. */
  detectTargets?: { preset: ProviderPreset; baseUrl: string }[];
}

export function createDefaultToolkit(options: DefaultToolkitOptions = {}): ProviderToolkit {
  return {
    presets: PROVIDER_PRESETS.map((p) => ({
      preset: p.preset,
      kind: p.kind,
      label: p.label,
      baseUrl: p.defaultBaseUrl,
      needsKey: p.needsKey,
      isLocal: p.isLocal,
    })),
    createProvider: (connection) => createProvider(connection),
    detectLocal: (signal) => detectLocalServers({ signal, targets: options.detectTargets }),
  };
}
