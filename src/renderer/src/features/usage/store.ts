import type { MethodInput } from '@shared/contract';
import type { ModelPrice, SessionUsage, UsageDashboard, UsageSettings } from '@shared/types';
import type { SliceCreator } from '../../app/types';

export type UsagePreset = 7 | 30 | 90;
export type UsageRangeChoice = { preset: UsagePreset } | { preset: 'custom'; fromDay: string; toDay: string };

export interface DayRange {
  fromDay: string;
  toDay: string;
  timeZone: string;
}

/** How a CSV export ended. 'download': this host has no save dialog; the view downloads the text. */
export type UsageExportOutcome =
  | { kind: 'saved'; path: string }
  | { kind: 'cancelled' }
  | { kind: 'download'; filename: string; csv: string }
  | { kind: 'failed' };

export interface Loadable<T> {
  status: 'idle' | 'loading' | 'ready' | 'error';
  data: T | null;
}

export interface UsageSlice {
  usageRange: UsageRangeChoice;
  usageDashboard: Loadable<UsageDashboard>;
  sessionUsage: Record<string, Loadable<SessionUsage>>;
  prices: Loadable<ModelPrice[]>;
  usageSettings: UsageSettings | null;
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

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** 'YYYY-MM-DD' of a Date in this machine's zone (the zone the dashboard buckets by). */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The days a choice covers: a preset ends today, local time, and includes it. */
export function rangeDays(choice: UsageRangeChoice, now: Date = new Date(), timeZone = localTimeZone()): DayRange {
  if (choice.preset === 'custom') return { fromDay: choice.fromDay, toDay: choice.toDay, timeZone };
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (choice.preset - 1));
  return { fromDay: localDay(from), toDay: localDay(now), timeZone };
}

export const createUsageSlice: SliceCreator<UsageSlice> = (set, get, api) => {
  // Only the answer to the newest request may land: a slow 90-day load must not replace the
  // 7 days chosen after it.
  let dashboardRequest = 0;

  return {
    usageRange: { preset: 30 },
    usageDashboard: { status: 'idle', data: null },
    sessionUsage: {},
    prices: { status: 'idle', data: null },
    usageSettings: null,

    async setUsageRange(range) {
      set({ usageRange: range });
      await get().loadUsageDashboard();
    },

    async loadUsageDashboard() {
      const request = ++dashboardRequest;
      set((s) => ({ usageDashboard: { ...s.usageDashboard, status: 'loading' } }));
      try {
        const data = await api.usage.dashboard(rangeDays(get().usageRange));
        if (request === dashboardRequest) set({ usageDashboard: { status: 'ready', data } });
      } catch (error) {
        if (request !== dashboardRequest) return;
        set((s) => ({ usageDashboard: { ...s.usageDashboard, status: 'error' } }));
        get().reportError(error);
      }
    },

    async exportUsage() {
      const range = rangeDays(get().usageRange);
      try {
        const saved = await api.usage.saveCsv(range);
        if (saved.status === 'saved') return { kind: 'saved', path: saved.path };
        if (saved.status === 'cancelled') return { kind: 'cancelled' };
        const { filename, csv } = await api.usage.exportCsv(range);
        return { kind: 'download', filename, csv };
      } catch (error) {
        get().reportError(error);
        return { kind: 'failed' };
      }
    },

    async loadSessionUsage(sessionId) {
      set((s) => ({
        sessionUsage: {
          ...s.sessionUsage,
          [sessionId]: { data: s.sessionUsage[sessionId]?.data ?? null, status: 'loading' },
        },
      }));
      try {
        const data = await api.usage.session({ sessionId });
        set((s) => ({ sessionUsage: { ...s.sessionUsage, [sessionId]: { status: 'ready', data } } }));
      } catch (error) {
        set((s) => ({
          sessionUsage: {
            ...s.sessionUsage,
            [sessionId]: { data: s.sessionUsage[sessionId]?.data ?? null, status: 'error' },
          },
        }));
        get().reportError(error);
      }
    },

    async loadPrices() {
      set((s) => ({ prices: { ...s.prices, status: 'loading' } }));
      try {
        set({ prices: { status: 'ready', data: await api.prices.list({}) } });
      } catch (error) {
        set((s) => ({ prices: { ...s.prices, status: 'error' } }));
        get().reportError(error);
      }
    },

    async savePrice(input) {
      try {
        await api.prices.set(input);
      } catch (error) {
        get().reportError(error);
        return false;
      }
      // Read back: saving one spelling of a model can replace another row.
      await get().loadPrices();
      return true;
    },

    async deletePrice(model) {
      try {
        await api.prices.delete({ model });
      } catch (error) {
        get().reportError(error);
        return false;
      }
      set((s) => ({ prices: { ...s.prices, data: (s.prices.data ?? []).filter((p) => p.model !== model) } }));
      return true;
    },

    async loadUsageSettings() {
      try {
        set({ usageSettings: await api.usage.getSettings({}) });
      } catch (error) {
        get().reportError(error);
      }
    },

    async saveUsageSettings(patch) {
      try {
        set({ usageSettings: await api.usage.setSettings(patch) });
        return true;
      } catch (error) {
        get().reportError(error);
        return false;
      }
    },
  };
};
