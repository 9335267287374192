/**
 * Builds the typed `window.confab` object from the contract over any transport (Electron IPC in
 * preload, a WebSocket in the web host's bridge). Results arrive as { ok, value | error } so that
 * errors cross the boundary as data and are rethrown here as ConfabError.
 */
import {
  contract,
  type EventMap,
  type EventName,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from './contract';
import { ConfabError, type ConfabErrorData } from './errors';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ConfabErrorData };

export interface Transport {
  invoke(method: MethodName, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (event: EventName, payload: unknown) => void): () => void;
}

type Namespace<K> = K extends `${infer N}.${string}` ? N : never;
type MemberOf<K, N extends string> = K extends `${N}.${infer M}` ? M : never;

export type ConfabApi = {
  [N in Namespace<MethodName>]: {
    [K in MethodName as MemberOf<K, N>]: (input: MethodInput<K>) => Promise<MethodOutput<K>>;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
};

export interface ClientOptions {
  /**
   * Reject with plain { code, message } data instead of a ConfabError. Preload needs this:
   * contextBridge copies a rejected Error as a bare Error and drops its `code`.
   */
  rejectWithData?: boolean;
}

export function createClient(transport: Transport, options: ClientOptions = {}): ConfabApi {
  const api: Record<string, unknown> = {};
  for (const name of Object.keys(contract) as MethodName[]) {
    const [ns, member] = name.split('.') as [string, string];
    const group = (api[ns] ??= {}) as Record<string, unknown>;
    group[member] = async (input: unknown) => {
      const envelope = await transport.invoke(name, input ?? {});
      if (!envelope.ok) throw options.rejectWithData ? { ...envelope.error } : ConfabError.fromData(envelope.error);
      return envelope.value;
    };
  }
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let unsubscribe: (() => void) | null = null;
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!unsubscribe) {
      unsubscribe = transport.subscribe((name, payload) => {
        for (const fn of listeners.get(name) ?? []) {
          // One view's failing listener must not keep the event from the others.
          try {
            fn(payload);
          } catch (err) {
            console.error(`[confab] a listener for ${name} failed`, err);
          }
        }
      });
    }
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };
  return api as ConfabApi;
}
