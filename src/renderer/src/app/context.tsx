import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { bindAttempt, type Attempt } from './kit/attempt';
import type { AppState, AppStore } from './types';

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext value={store}>{children}</StoreContext>;
}

export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore must be used inside <StoreProvider>.');
  return store;
}

/** Selectors must return stable values; wrap derived arrays with `useShallow`. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStoreApi(), selector);
}

/** `attempt` for a component's own calls (the clipboard): a failure is shown like any other. */
export function useAttempt(): Attempt {
  const reportError = useAppStore((s) => s.reportError);
  return useMemo(() => bindAttempt(reportError), [reportError]);
}
