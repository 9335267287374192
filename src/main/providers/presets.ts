import type { ProviderKind, ProviderPreset } from './types';

export interface PresetInfo {
  preset: ProviderPreset;
  kind: ProviderKind;
  label: string;
  /** Empty for 'custom': the user must type one. */
  defaultBaseUrl: string;
  needsKey: boolean;
  /** Runs on this machine, so it keeps working offline and is probed at startup. */
  isLocal: boolean;
}

/** In the order a settings screen should offer them. */
export const PROVIDER_PRESETS: readonly PresetInfo[] = [
  {
    preset: 'openai',
    kind: 'openai',
    label: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'anthropic',
    kind: 'anthropic',
    label: 'Anthropic',
    defaultBaseUrl: 'https://api.anthropic.com',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'openrouter',
    kind: 'openai',
    label: 'OpenRouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'ollama',
    kind: 'openai',
    label: 'Ollama',
    defaultBaseUrl: 'http://localhost:11434/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'lmstudio',
    kind: 'openai',
    label: 'LM Studio',
    defaultBaseUrl: 'http://localhost:1234/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'llamacpp',
    kind: 'openai',
    label: 'llama.cpp server',
    defaultBaseUrl: 'http://localhost:8080/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'custom',
    kind: 'openai',
    label: 'Custom (OpenAI-compatible)',
    defaultBaseUrl: '',
    needsKey: false,
    isLocal: false,
  },
];

export function presetInfo(preset: ProviderPreset): PresetInfo {
  const info = PROVIDER_PRESETS.find((p) => p.preset === preset);
  if (!info) throw new Error(`Unknown provider preset: ${String(preset)}`);
  return info;
}

/**
 * Whether a base URL points at this machine or the LAN, for custom connections: those keep
 * working without internet, so an offline send should not be refused up front.
 */
export function isLocalBaseUrl(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host === '::1') return true;
  const v4 = host.match(/^(\d+)\.(\d+)\.\d+\.\d+$/);
  if (!v4) return /^f[cd][0-9a-f]{2}:/.test(host) || host.startsWith('fe80:');
  const [a, b] = [Number(v4[1]), Number(v4[2])];
  return (
    a === 127 || a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254)
  );
}
