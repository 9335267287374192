import { describe, expect, it } from 'vitest';
import type { ProviderConnection, ProviderPreset } from './types';
import { createProvider } from './adapters/factory';
import { isLocalBaseUrl, presetInfo, PROVIDER_PRESETS } from './presets';

describe('provider presets', () => {
  it('covers every preset once, with the documented base URLs', () => {
    const all: ProviderPreset[] = ['openai', 'anthropic', 'openrouter', 'ollama', 'lmstudio', 'llamacpp', 'custom'];
    expect(PROVIDER_PRESETS.map((p) => p.preset).sort()).toEqual([...all].sort());
    expect(Object.fromEntries(PROVIDER_PRESETS.map((p) => [p.preset, p.defaultBaseUrl]))).toEqual({
      openai: 'https://api.openai.com/v1',
      anthropic: 'https://api.anthropic.com',
      openrouter: 'https://openrouter.ai/api/v1',
      ollama: 'http://localhost:11434/v1',
      lmstudio: 'http://localhost:1234/v1',
      llamacpp: 'http://localhost:8080/v1',
      custom: '',
    });
  });

  it('marks cloud presets as needing a key and local ones as local', () => {
    for (const info of PROVIDER_PRESETS) {
      if (['ollama', 'lmstudio', 'llamacpp'].includes(info.preset))
        expect(info).toMatchObject({ isLocal: true, needsKey: false, kind: 'openai' });
      if (['openai', 'openrouter', 'anthropic'].includes(info.preset))
        expect(info).toMatchObject({ isLocal: false, needsKey: true });
      if (info.defaultBaseUrl) expect(isLocalBaseUrl(info.defaultBaseUrl)).toBe(info.isLocal);
    }
    expect(presetInfo('anthropic').kind).toBe('anthropic');
    expect(() => presetInfo('nope' as ProviderPreset)).toThrow();
  });

  it('recognises loopback and private-network URLs as local', () => {
    for (const url of [
      'http://localhost:1/v1',
      'http://127.0.0.1:8080',
      'http://[::1]:11434/v1',
      'http://192.168.1.20:1234/v1',
      'http://10.0.0.5',
      'http://172.20.0.1',
      'http://gpu-box.local:8080/v1',
    ]) {
      expect(isLocalBaseUrl(url), url).toBe(true);
    }
    for (const url of ['https://api.openai.com/v1', 'http://172.32.0.1', 'http://8.8.8.8', 'not a url', '']) {
      expect(isLocalBaseUrl(url), url).toBe(false);
    }
  });
});

describe('createProvider', () => {
  const base: ProviderConnection = {
    id: 'x',
    kind: 'openai',
    preset: 'ollama',
    baseUrl: 'http://localhost:11434/v1',
    apiKey: null,
    isLocal: true,
  };

  it('builds a provider for each kind that keeps its connection', () => {
    const openai = createProvider(base);
    const anthropic = createProvider({
      ...base,
      kind: 'anthropic',
      preset: 'anthropic',
      baseUrl: 'https://api.anthropic.com',
    });
    expect(openai.connection).toBe(base);
    expect(anthropic.connection.kind).toBe('anthropic');
    expect(typeof openai.stream).toBe('function');
    expect(typeof anthropic.listModels).toBe('function');
  });

  it('refuses an unknown kind', () => {
    expect(() => createProvider({ ...base, kind: 'gemini' as ProviderConnection['kind'] })).toThrow(
      /Unknown provider kind/,
    );
  });
});
