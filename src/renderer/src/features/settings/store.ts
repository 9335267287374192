import type { MethodInput, MethodOutput } from '@shared/contract';
import type { ChatSettings, DetectedProvider, ProviderConfig, ProviderPresetInfo } from '@shared/types';
import { coalesce } from '../../app/kit/coalesce';
import { failed, idle, loading, ready, type Loadable } from '../../app/kit/loadable';
import type { AppState, SliceCreator } from '../../app/types';

/** A provider's models: the server's own list ('provider'), or the hand-entered one ('manual'). */
export type ModelListing = MethodOutput<'providers.models'>;

export interface SettingsSlice {
  /** The Settings dialog is open. */
  settingsOpen: boolean;
  providers: Loadable<ProviderConfig[]>;
  presets: ProviderPresetInfo[];
  chatSettings: Loadable<ChatSettings>;
  /** Model lists asked of each provider, by provider id. */
  providerModels: Record<string, Loadable<ModelListing>>;
  detected: Loadable<DetectedProvider[]>;
  /**
   * A provider added while another is the default, whose test passed: offered as the default
   * (the user may have added it because the default does not work).
   */
  defaultOffer: string | null;
  dismissDefaultOffer(): void;
  /** Settings opened to add a provider (first launch): the form shows at once. */
  settingsAddsProvider: boolean;
  openSettings(): void;
  openSettingsToAddProvider(): void;
  closeSettings(): void;
  /** Providers, chat settings and (once) the presets. */
  loadProviders(): Promise<void>;
  loadChatSettings(): Promise<void>;
  /**
   * Creates a provider and tests it (its model list). With no default yet it becomes the default,
   * but only if the test passed; otherwise a working one is offered as the new default. Resolves
   * to null if it could not be saved.
   */
  createProvider(input: MethodInput<'providers.create'>): Promise<ProviderConfig | null>;
  updateProvider(input: MethodInput<'providers.update'>): Promise<ProviderConfig | null>;
  deleteProvider(id: string): Promise<boolean>;
  fetchModels(id: string): Promise<ModelListing | null>;
  setChatSettings(patch: MethodInput<'settings.setChat'>): Promise<boolean>;
  detectLocalProviders(): Promise<void>;
}

const NO_PROVIDERS: ProviderConfig[] = [];

/** The providers set up so far (empty until loaded). */
export function providersOf(state: Pick<AppState, 'providers'>): ProviderConfig[] {
  return state.providers.data ?? NO_PROVIDERS;
}

/** "Default (OpenAI · gpt-4o)": what a chat without a model of its own uses. */
export function defaultModelLabel(state: AppState): string {
  const settings = state.chatSettings.data;
  const provider = providersOf(state).find((p) => p.id === settings?.defaultProviderId);
  if (!provider) return 'Default (none chosen)';
  const model = settings?.defaultModel ?? provider.defaultModel ?? provider.models[0] ?? 'no model';
  return `Default (${provider.name} · ${model})`;
}

/** The models to offer for a provider: the server's list once asked, else the configured ones. */
export function modelsFor(state: AppState, provider: ProviderConfig): string[] {
  const listed = state.providerModels[provider.id]?.data?.models ?? [];
  const known = [provider.defaultModel, ...provider.models, ...listed].filter((m): m is string => !!m);
  return [...new Set(known)];
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get, { api, attempt }) => {
  // Saves of chat settings still on their way. While any is, an answer (theirs or a reload's)
  // may predate the user's latest click, so only the last save to finish writes the store;
  // otherwise a checkbox flips back until the last answer arrives.
  let chatSavesInFlight = 0;
  // Counts saves started, so a load that began before a save does not write its older answer.
  let chatSavesStarted = 0;
  const mayLoadChatSettings = (savesAtStart: number) => chatSavesInFlight === 0 && chatSavesStarted === savesAtStart;
  const loadAll = coalesce(async () => {
    const savesAtStart = chatSavesStarted;
    set((s) => ({ providers: loading(s.providers), chatSettings: loading(s.chatSettings) }));
    const loaded = await attempt(() =>
      Promise.all([
        api.providers.list({}),
        api.settings.getChat({}),
        get().presets.length > 0 ? Promise.resolve(get().presets) : api.providers.presets({}),
      ]),
    );
    if (!loaded.ok) {
      set((s) => ({ providers: failed(s.providers), chatSettings: failed(s.chatSettings) }));
      return;
    }
    const [providers, chatSettings, presets] = loaded.value;
    set((s) => ({
      providers: ready(providers),
      chatSettings: mayLoadChatSettings(savesAtStart) ? ready(chatSettings) : s.chatSettings,
      presets,
    }));
  });

  const loadChat = coalesce(async () => {
    const savesAtStart = chatSavesStarted;
    set((s) => ({ chatSettings: loading(s.chatSettings) }));
    const loaded = await attempt(() => api.settings.getChat({}));
    if (!mayLoadChatSettings(savesAtStart)) return;
    set((s) => ({ chatSettings: loaded.ok ? ready(loaded.value) : failed(s.chatSettings) }));
  });

  const setProviders = (change: (providers: ProviderConfig[]) => ProviderConfig[]) =>
    set((s) => ({ providers: { ...s.providers, data: change(s.providers.data ?? []) } }));

  async function fetchModels(id: string): Promise<ModelListing | null> {
    set((s) => ({ providerModels: { ...s.providerModels, [id]: loading(s.providerModels[id] ?? idle(), 'reload') } }));
    const listed = await attempt(() => api.providers.models({ id }));
    set((s) => {
      const providerModels = { ...s.providerModels };
      if (listed.ok) providerModels[id] = ready(listed.value);
      else delete providerModels[id];
      return { providerModels };
    });
    return listed.ok ? listed.value : null;
  }

  /**
   * The test of a new provider: can its models be listed? Its answer also names a model when none
   * was given. A provider that failed never becomes the default by itself (new chats would fail
   * on it); a working one is the default when there is none, and offered when there is one.
   */
  async function testNewProvider(created: ProviderConfig): Promise<void> {
    const listing = await fetchModels(created.id);
    const works = listing !== null && listing.error === null;
    if (works && !created.defaultModel && created.models.length === 0) {
      const first = listing.source === 'provider' ? listing.models[0] : undefined;
      if (first) await get().updateProvider({ id: created.id, defaultModel: first });
    }
    const currentDefault = get().chatSettings.data?.defaultProviderId ?? null;
    if (works && !currentDefault) await get().setChatSettings({ defaultProviderId: created.id, defaultModel: null });
    else if (works && currentDefault !== created.id) set({ defaultOffer: created.id });
    await loadAll();
  }

  return {
    settingsOpen: false,
    providers: idle(),
    presets: [],
    chatSettings: idle(),
    providerModels: {},
    detected: idle(),
    defaultOffer: null,

    dismissDefaultOffer() {
      set({ defaultOffer: null });
    },

    settingsAddsProvider: false,

    openSettings() {
      set({ settingsOpen: true, settingsAddsProvider: false });
    },

    openSettingsToAddProvider() {
      set({ settingsOpen: true, settingsAddsProvider: true });
    },

    closeSettings() {
      set({ settingsOpen: false });
    },

    loadProviders: loadAll,
    loadChatSettings: loadChat,

    async createProvider(input) {
      const made = await attempt(() => api.providers.create(input));
      if (!made.ok) return null;
      const created = made.value;
      setProviders((list) => [...list.filter((p) => p.id !== created.id), created]);
      // Saved: the form may close now. The test (a network call, seconds on a slow server) and
      // what follows from it run after, and show in the provider's entry.
      void testNewProvider(created);
      return created;
    },

    async updateProvider(input) {
      const updated = await attempt(() => api.providers.update(input));
      if (!updated.ok) return null;
      setProviders((list) => list.map((p) => (p.id === updated.value.id ? updated.value : p)));
      return updated.value;
    },

    async deleteProvider(id) {
      const deleted = await attempt(() => api.providers.delete({ id }));
      if (!deleted.ok) return false;
      setProviders((list) => list.filter((p) => p.id !== id));
      set((s) => {
        const providerModels = { ...s.providerModels };
        delete providerModels[id];
        return { providerModels };
      });
      // Main clears a default that named it; read the settings back.
      await loadAll();
      return true;
    },

    fetchModels,

    async setChatSettings(patch) {
      // Shown at once (a checkbox must not flip back while the answer is on its way), undone on failure.
      const before = get().chatSettings;
      if (before.data) {
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        set({ chatSettings: { ...before, data: { ...before.data, ...defined } } });
      }
      chatSavesInFlight += 1;
      chatSavesStarted += 1;
      const saved = await attempt(() => api.settings.setChat(patch));
      chatSavesInFlight -= 1;
      if (saved.ok) {
        if (chatSavesInFlight === 0) set({ chatSettings: ready(saved.value) });
      } else {
        set({ chatSettings: before });
      }
      return saved.ok;
    },

    async detectLocalProviders() {
      set((s) => ({ detected: loading(s.detected, 'reload') }));
      // Finding no local server is not an error worth a banner.
      const found = await attempt(() => api.providers.detectLocal({}), { expected: () => true });
      set({ detected: ready(found.ok ? found.value : []) });
    },
  };
};

/**
 * Why the default provider cannot answer, if its last test failed (or it is off, or gone): for
 * the composer to name the default as failing instead of a send failing later.
 */
export function defaultProviderProblem(state: AppState): { providerName: string; reason: string } | null {
  const id = state.chatSettings.data?.defaultProviderId;
  if (!id) return null;
  const provider = providersOf(state).find((p) => p.id === id);
  if (!provider) return null;
  if (!provider.enabled) return { providerName: provider.name, reason: 'It is turned off in Settings.' };
  const listing = state.providerModels[id]?.data;
  if (listing?.error) return { providerName: provider.name, reason: listing.error };
  return null;
}
