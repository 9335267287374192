/**
 * Startup probe for local model servers. Most users have neither running, so every failure
 * (refused, timeout, odd reply) just means "not found": no throw, no log line.
 */
import type { ProviderPreset } from './types';
import type { ProviderOptions } from './adapters/common';
import { createOpenAiCompatibleProvider } from './adapters/openaiCompatible';
import { presetInfo } from './presets';

export interface LocalServer {
  preset: ProviderPreset;
  baseUrl: string;
  /** May be empty: the server runs but has no model pulled yet. */
  models: string[];
}

export interface DetectLocalOptions {
  /** Where to look; defaults to Ollama's and LM Studio's standard ports. */
  targets?: { preset: ProviderPreset; baseUrl: string }[];
  /** A local server answers in milliseconds; longer means nothing useful is there. */
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: ProviderOptions['fetch'];
}

export const DEFAULT_DETECT_TIMEOUT_MS = 800;

export function defaultLocalTargets(): { preset: ProviderPreset; baseUrl: string }[] {
  return (['ollama', 'lmstudio'] as const).map((preset) => ({ preset, baseUrl: presetInfo(preset).defaultBaseUrl }));
}

export async function detectLocalServers(options: DetectLocalOptions = {}): Promise<LocalServer[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DETECT_TIMEOUT_MS;
  const targets = options.targets ?? defaultLocalTargets();
  const found = await Promise.all(
    targets.map(async ({ preset, baseUrl }): Promise<LocalServer | null> => {
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      const connection = {
        id: `detect-${preset}`,
        kind: 'openai' as const,
        preset,
        baseUrl,
        apiKey: null,
        isLocal: true,
      };
      const provider = createOpenAiCompatibleProvider(connection, { fetch: options.fetch, listTimeoutMs: timeoutMs });
      try {
        return { preset, baseUrl, models: await provider.listModels(AbortSignal.any(signals)) };
      } catch {
        return null;
      }
    }),
  );
  return found.filter((server): server is LocalServer => server !== null);
}
