import type { MethodInput } from '@shared/contract';
import type { ModelPrice, SessionUsage, UsageDashboard, UsageSettings } from '@shared/types';
import { failed, idle, loading, ready, type Loadable } from '../../app/kit/loadable';
import type { SliceCreator } from '../../app/types';
import { rangeDays, type UsageRangeChoice } from './range';

/** How a CSV export ended. 'download': this host has no save dialog; the view downloads the text. */
export type UsageExportOutcome =
  | { kind: 'saved'; path: string }
  | { kind: 'cancelled' }
  | { kind: 'download'; filename: string; csv: string }
  | { kind: 'failed' };

export interface UsageSlice {
  usageRange: UsageRangeChoice;
  usageDashboard: Loadable<UsageDashboard>;
  sessionUsage: Record<string, Loadable<SessionUsage>>;
  prices: Loadable<ModelPrice[]>;
  usageSettings: Loadable<UsageSettings>;
  setUsageRange(range: UsageRangeChoice): Promise<void>;
  loadUsageDashboard(): Promise<void>;
  exportUsage(): Promise<UsageExportOutcome>;
  loadSessionUsage(sessionId: string): Promise<void>;
  loadPrices(): Promise<void>;
  savePrice(input: MethodInput<'prices.set'>): Promise<boolean>;
  deletePrice(model: string): Promise<boolean>;
  loadUsageSettings(): Promise<void>;
  saveUsageSettings(patch: MethodInput<'usage.setSettings'>): Promise<boolean>;
}

export const createUsageSlice: SliceCreator<UsageSlice> = (set, get, { api, attempt }) => {
  // Only the answer to the newest request may land: a slow 90-day load must not replace the
  // 7 days chosen after it.
  let dashboardRequest = 0;

  const setSessionUsage = (sessionId: string, change: (current: Loadable<SessionUsage>) => Loadable<SessionUsage>) =>
    set((s) => ({ sessionUsage: { ...s.sessionUsage, [sessionId]: change(s.sessionUsage[sessionId] ?? idle()) } }));

  return {
    usageRange: { preset: 30 },
    usageDashboard: idle(),
    sessionUsage: {},
    prices: idle(),
    usageSettings: idle(),

    async setUsageRange(range) {
      set({ usageRange: range });
      await get().loadUsageDashboard();
    },

    async loadUsageDashboard() {
      const request = ++dashboardRequest;
      set((s) => ({ usageDashboard: loading(s.usageDashboard, 'reload') }));
      const loaded = await attempt(() => api.usage.dashboard(rangeDays(get().usageRange)));
      if (request !== dashboardRequest) return;
      set((s) => ({ usageDashboard: loaded.ok ? ready(loaded.value) : failed(s.usageDashboard, 'reload') }));
    },

    async exportUsage() {
      const range = rangeDays(get().usageRange);
      const exported = await attempt(async (): Promise<UsageExportOutcome> => {
        const saved = await api.usage.saveCsv(range);
        if (saved.status === 'saved') return { kind: 'saved', path: saved.path };
        if (saved.status === 'cancelled') return { kind: 'cancelled' };
        const { filename, csv } = await api.usage.exportCsv(range);
        return { kind: 'download', filename, csv };
      });
      return exported.ok ? exported.value : { kind: 'failed' };
    },

    async loadSessionUsage(sessionId) {
      setSessionUsage(sessionId, (current) => loading(current, 'reload'));
      const loaded = await attempt(() => api.usage.session({ sessionId }));
      setSessionUsage(sessionId, (current) => (loaded.ok ? ready(loaded.value) : failed(current, 'reload')));
    },

    async loadPrices() {
      set((s) => ({ prices: loading(s.prices, 'reload') }));
      const loaded = await attempt(() => api.prices.list({}));
      set((s) => ({ prices: loaded.ok ? ready(loaded.value) : failed(s.prices, 'reload') }));
    },

    async savePrice(input) {
      const saved = await attempt(() => api.prices.set(input));
      // Read back: saving one spelling of a model can replace another row.
      if (saved.ok) await get().loadPrices();
      return saved.ok;
    },

    async deletePrice(model) {
      const deleted = await attempt(() => api.prices.delete({ model }));
      if (deleted.ok) {
        set((s) => ({ prices: { ...s.prices, data: (s.prices.data ?? []).filter((p) => p.model !== model) } }));
      }
      return deleted.ok;
    },

    async loadUsageSettings() {
      set((s) => ({ usageSettings: loading(s.usageSettings) }));
      const loaded = await attempt(() => api.usage.getSettings({}));
      set((s) => ({ usageSettings: loaded.ok ? ready(loaded.value) : failed(s.usageSettings) }));
    },

    async saveUsageSettings(patch) {
      const saved = await attempt(() => api.usage.setSettings(patch));
      if (saved.ok) set({ usageSettings: ready(saved.value) });
      return saved.ok;
    },
  };
};
