import type { MethodInput } from '@shared/contract';
import type { ChatSettings, DetectedProvider, ProviderConfig, ProviderPresetInfo } from '@shared/types';
import { coalesce } from '../../app/kit/coalesce';
import type { AppState, SliceCreator } from '../../app/types';

export interface ModelListing {
  models: string[];
  /** 'provider': the server's own list; 'manual': the hand-entered list (the server did not answer). */
  source: 'provider' | 'manual';
  error: string | null;
  status: 'loading' | 'ready';
}

export interface ProvidersSlice {
  providers: ProviderConfig[];
  providersStatus: 'idle' | 'loading' | 'ready' | 'error';
  presets: ProviderPresetInfo[];
  chatSettings: ChatSettings | null;
  /** Model lists asked of each provider, by provider id. */
  providerModels: Record<string, ModelListing>;
  detected: { status: 'idle' | 'loading' | 'ready'; items: DetectedProvider[] };
  loadProviders(): Promise<void>;
  /** Creates a provider; the first one also becomes the default. Resolves to null if it failed. */
  createProvider(input: MethodInput<'providers.create'>): Promise<ProviderConfig | null>;
  updateProvider(input: MethodInput<'providers.update'>): Promise<ProviderConfig | null>;
  deleteProvider(id: string): Promise<boolean>;
  fetchModels(id: string): Promise<ModelListing | null>;
  setChatSettings(patch: MethodInput<'settings.setChat'>): Promise<boolean>;
  detectLocalProviders(): Promise<void>;
}

/** "Default (OpenAI · gpt-4o)": what a chat without a model of its own uses. */
export function defaultModelLabel(state: AppState): string {
  const settings = state.chatSettings;
  const provider = state.providers.find((p) => p.id === settings?.defaultProviderId);
  if (!provider) return 'Default (none chosen)';
  const model = settings?.defaultModel ?? provider.defaultModel ?? provider.models[0] ?? 'no model';
  return `Default (${provider.name} · ${model})`;
}

/** The models to offer for a provider: the server's list once asked, else the configured ones. */
export function modelsFor(state: AppState, provider: ProviderConfig): string[] {
  const listed = state.providerModels[provider.id]?.models ?? [];
  const known = [provider.defaultModel, ...provider.models, ...listed].filter((m): m is string => !!m);
  return [...new Set(known)];
}

export const createProvidersSlice: SliceCreator<ProvidersSlice> = (set, get, api) => {
  const load = coalesce(async () => {
    set((s) => ({ providersStatus: s.providersStatus === 'ready' ? 'ready' : 'loading' }));
    try {
      const [providers, chatSettings, presets] = await Promise.all([
        api.providers.list({}),
        api.settings.getChat({}),
        get().presets.length > 0 ? Promise.resolve(get().presets) : api.providers.presets({}),
      ]);
      set({ providers, chatSettings, presets, providersStatus: 'ready' });
    } catch (error) {
      set((s) => ({ providersStatus: s.providersStatus === 'ready' ? 'ready' : 'error' }));
      get().reportError(error);
    }
  });

  async function fetchModels(id: string): Promise<ModelListing | null> {
    set((s) => ({
      providerModels: {
        ...s.providerModels,
        [id]: { ...(s.providerModels[id] ?? { models: [], source: 'manual', error: null }), status: 'loading' },
      },
    }));
    try {
      const result = await api.providers.models({ id });
      const listing: ModelListing = { ...result, status: 'ready' };
      set((s) => ({ providerModels: { ...s.providerModels, [id]: listing } }));
      return listing;
    } catch (error) {
      set((s) => {
        const providerModels = { ...s.providerModels };
        delete providerModels[id];
        return { providerModels };
      });
      get().reportError(error);
      return null;
    }
  }

  return {
    providers: [],
    providersStatus: 'idle',
    presets: [],
    chatSettings: null,
    providerModels: {},
    detected: { status: 'idle', items: [] },

    loadProviders: load,

    async createProvider(input) {
      let created: ProviderConfig;
      try {
        created = await api.providers.create(input);
      } catch (error) {
        get().reportError(error);
        return null;
      }
      set((s) => ({ providers: [...s.providers.filter((p) => p.id !== created.id), created] }));
      // Without a default, a new chat has nothing to talk to: the first provider becomes it.
      if (!get().chatSettings?.defaultProviderId) {
        await get().setChatSettings({ defaultProviderId: created.id, defaultModel: null });
      }
      // With no model named, ask the server for one so the first chat works at once.
      if (!created.defaultModel && created.models.length === 0) {
        const listing = await fetchModels(created.id);
        const first = listing?.source === 'provider' ? listing.models[0] : undefined;
        if (first) return (await get().updateProvider({ id: created.id, defaultModel: first })) ?? created;
      }
      await load();
      return created;
    },

    async updateProvider(input) {
      try {
        const updated = await api.providers.update(input);
        set((s) => ({ providers: s.providers.map((p) => (p.id === updated.id ? updated : p)) }));
        return updated;
      } catch (error) {
        get().reportError(error);
        return null;
      }
    },

    async deleteProvider(id) {
      try {
        await api.providers.delete({ id });
      } catch (error) {
        get().reportError(error);
        return false;
      }
      set((s) => {
        const providerModels = { ...s.providerModels };
        delete providerModels[id];
        return { providers: s.providers.filter((p) => p.id !== id), providerModels };
      });
      // Main clears a default that named it; read the settings back.
      await load();
      return true;
    },

    fetchModels,

    async setChatSettings(patch) {
      // Shown at once (a checkbox must not flip back while the answer is on its way), undone on failure.
      const before = get().chatSettings;
      if (before) {
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        set({ chatSettings: { ...before, ...defined } });
      }
      try {
        const chatSettings = await api.settings.setChat(patch);
        set({ chatSettings });
        return true;
      } catch (error) {
        if (before) set({ chatSettings: before });
        get().reportError(error);
        return false;
      }
    },

    async detectLocalProviders() {
      set((s) => ({ detected: { ...s.detected, status: 'loading' } }));
      try {
        const items = await api.providers.detectLocal({});
        set({ detected: { status: 'ready', items } });
      } catch {
        // Finding no local server is not an error worth a banner.
        set({ detected: { status: 'ready', items: [] } });
      }
    },
  };
};
