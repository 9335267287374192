/**
 * Provider settings as the contract sees them. API keys are encrypted here, on the main thread,
 * before they travel to the DB worker, and decrypted only to build a connection right before a
 * request. Nothing returned from this class carries a key: views learn `hasApiKey` only.
 */
import type { ChangeSource } from '@shared/changes';
import { readChatParams } from '@shared/chatParams';
import { ConfabError } from '@shared/errors';
import type { DetectedProvider, ProviderConfig, ProviderPresetInfo, ProviderPresetName } from '@shared/types';
import type { DbClient } from '../db/client';
import type { StoredProviderConfig } from '../db/providers/repository';
import type { SecretCipher } from '../secrets/cipher';
import { describeModelListError, toProviderError } from '../chat/errors';
import { isLocalBaseUrl } from './presets';
import type { ChatSettingsStore } from '../settings/chatSettings';
import type { ProviderToolkit } from './toolkit';
import type { ProviderConnection } from './types';

export interface CreateProviderRequest {
  preset: ProviderPresetName;
  name?: string;
  baseUrl?: string;
  apiKey?: string;
  defaultModel?: string | null;
  models?: string[];
  contextBudget?: number | null;
  params?: Record<string, number | null | undefined>;
  enabled?: boolean;
}

export interface UpdateProviderRequest {
  id: string;
  name?: string;
  baseUrl?: string;
  apiKey?: string | null;
  defaultModel?: string | null;
  models?: string[];
  contextBudget?: number | null;
  params?: Record<string, number | null | undefined>;
  enabled?: boolean;
}

export interface ModelListing {
  models: string[];
  source: 'provider' | 'manual';
  error: string | null;
}

const MODELS_TIMEOUT_MS = 8_000;
const DETECT_TIMEOUT_MS = 3_000;

const keyRequired = (name: string) =>
  new ConfabError('invalid_input', `${name} needs an API key. Paste the key from your account's API settings.`);

/** Trailing slashes would give the SDKs `//chat/completions`. */
const normaliseUrl = (url: string) => url.trim().replace(/\/+$/, '');
const uniqueModels = (models: readonly string[]) => [...new Set(models.map((m) => m.trim()).filter(Boolean))];

export class ProviderService {
  constructor(
    private readonly db: DbClient,
    private readonly cipher: SecretCipher,
    private readonly toolkit: ProviderToolkit,
    private readonly settings: ChatSettingsStore,
  ) {}

  presets(): ProviderPresetInfo[] {
    return this.toolkit.presets.map((p) => ({ ...p }));
  }

  private preset(name: ProviderPresetName): ProviderPresetInfo {
    const preset = this.toolkit.presets.find((p) => p.preset === name);
    if (!preset) throw new ConfabError('invalid_input', `Confab has no provider preset called "${name}".`);
    return preset;
  }

  private toConfig(stored: StoredProviderConfig): ProviderConfig {
    return { ...stored, isLocal: isLocalBaseUrl(stored.baseUrl) };
  }

  async list(): Promise<ProviderConfig[]> {
    return (await this.db.call('providers.list', undefined)).map((c) => this.toConfig(c));
  }

  async get(id: string): Promise<ProviderConfig> {
    return this.toConfig(await this.db.call('providers.get', { id }));
  }

  /** `source`: 'system' when Confab sets a provider up itself (local detection at start-up). */
  async create(input: CreateProviderRequest, source: ChangeSource = 'local'): Promise<ProviderConfig> {
    const preset = this.preset(input.preset);
    const baseUrl = normaliseUrl(input.baseUrl ?? preset.baseUrl);
    if (!baseUrl) {
      throw new ConfabError('invalid_input', 'Enter the address of the server (for example http://localhost:8080/v1).');
    }
    if (preset.needsKey && !input.apiKey) throw keyRequired(preset.label);
    const stored = await this.db.call(
      'providers.create',
      {
        kind: preset.kind,
        preset: preset.preset,
        name: input.name?.trim() || preset.label,
        baseUrl,
        defaultModel: input.defaultModel ?? null,
        models: uniqueModels(input.models ?? []),
        contextBudget: input.contextBudget ?? null,
        params: readChatParams(input.params),
        enabled: input.enabled ?? true,
        apiKeyCiphertext: input.apiKey ? this.cipher.encrypt(input.apiKey) : null,
      },
      { source },
    );
    return this.toConfig(stored);
  }

  async update(input: UpdateProviderRequest): Promise<ProviderConfig> {
    if (input.apiKey === null) {
      const current = await this.get(input.id);
      if (this.preset(current.preset).needsKey) throw keyRequired(current.name);
    }
    const stored = await this.db.call('providers.update', {
      id: input.id,
      name: input.name?.trim() || undefined,
      baseUrl: input.baseUrl === undefined ? undefined : normaliseUrl(input.baseUrl),
      defaultModel: input.defaultModel,
      models: input.models === undefined ? undefined : uniqueModels(input.models),
      contextBudget: input.contextBudget,
      params: input.params,
      enabled: input.enabled,
      apiKeyCiphertext:
        input.apiKey === undefined ? undefined : input.apiKey === null ? null : this.cipher.encrypt(input.apiKey),
    });
    return this.toConfig(stored);
  }

  async delete(id: string): Promise<{ deleted: boolean }> {
    const result = await this.db.call('providers.delete', { id });
    // A default that names a deleted provider would make every new chat fail.
    const settings = await this.settings.get();
    if (settings.defaultProviderId === id) await this.settings.set({ defaultProviderId: null, defaultModel: null });
    return result;
  }

  /** The connection for a request; the only place a key is decrypted. */
  async connection(config: ProviderConfig): Promise<ProviderConnection> {
    let apiKey: string | null = null;
    if (config.hasApiKey) {
      const data = await this.db.call('providers.keyCiphertext', { id: config.id });
      if (data) apiKey = this.cipher.decrypt(Buffer.from(data));
    }
    return {
      id: config.id,
      kind: config.kind,
      preset: config.preset,
      baseUrl: config.baseUrl,
      apiKey,
      isLocal: config.isLocal,
    };
  }

  async models(id: string): Promise<ModelListing> {
    const config = await this.get(id);
    const manual = uniqueModels(config.models);
    let connection: ProviderConnection | null = null;
    try {
      connection = await this.connection(config);
      const provider = this.toolkit.createProvider(connection);
      const listed = await provider.listModels(AbortSignal.timeout(MODELS_TIMEOUT_MS));
      // Hand-entered models stay available: some servers list only part of what they serve.
      return { models: uniqueModels([...listed, ...manual]), source: 'provider', error: null };
    } catch (err) {
      const subject = {
        providerName: config.name,
        model: config.defaultModel ?? '',
        baseUrl: config.baseUrl,
        isLocal: config.isLocal,
        secrets: [connection?.apiKey],
      };
      let error: string;
      if (err instanceof ConfabError) error = describeModelListError('key_unavailable', subject);
      else {
        const failure = toProviderError(err);
        // Our own deadline ends the listing as an abort; to the user the server was too slow.
        error = describeModelListError(failure.code === 'cancelled' ? 'timeout' : failure.code, subject);
      }
      return { models: manual, source: 'manual', error };
    }
  }

  async detectLocal(): Promise<DetectedProvider[]> {
    try {
      return await this.toolkit.detectLocal(AbortSignal.timeout(DETECT_TIMEOUT_MS));
    } catch {
      return [];
    }
  }
}
