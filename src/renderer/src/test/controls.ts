/**
 * What a test holds over any API, fake or real: every call recorded, a call made to fail or to
 * wait, and events sent as main would. It sits at the process boundary (a Transport), so the
 * renderer's real client is what the store talks to, errors travel as envelopes, and nothing is
 * answered synchronously.
 */
import { createClient, type ConfabApi, type Envelope, type Transport } from '@shared/client';
import type { EventMap, EventName, MethodInput, MethodName } from '@shared/contract';
import { ConfabError, toErrorData, type ErrorCode } from '@shared/errors';

export interface RecordedCall {
  method: MethodName;
  input: unknown;
}

type Listener = (event: EventName, payload: unknown) => void;

export interface Controls {
  api: ConfabApi;
  readonly calls: RecordedCall[];
  /** The inputs of every call to `method` so far, oldest first. */
  callsTo<K extends MethodName>(method: K): MethodInput<K>[];
  /** The next call to `method` fails with this error, without reaching the backend. */
  failNext(method: MethodName, code: ErrorCode, message: string, details?: unknown): void;
  /** The next call to `method` waits until the returned function is called. */
  holdNext(method: MethodName): () => void;
  /** Sends an event to the renderer as main would (another window's change, a sync). */
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
}

/**
 * Wraps a backend given as "call this method" into a client with controls. `subscribe` adds the
 * backend's own events (the real core's) to those the test emits.
 */
export function withControls(
  call: (method: MethodName, input: unknown) => Promise<unknown>,
  subscribe?: (listener: Listener) => () => void,
): Controls {
  const calls: RecordedCall[] = [];
  const failures = new Map<MethodName, ConfabError[]>();
  const gates = new Map<MethodName, Promise<void>[]>();
  const listeners = new Set<Listener>();

  const transport: Transport = {
    async invoke(method, input): Promise<Envelope<unknown>> {
      calls.push({ method, input: structuredClone(input) });
      const gate = gates.get(method)?.shift();
      if (gate) await gate;
      await Promise.resolve(); // never answer synchronously, like a real process boundary
      try {
        const failure = failures.get(method)?.shift();
        if (failure) throw failure;
        return { ok: true, value: structuredClone(await call(method, input)) };
      } catch (error) {
        return { ok: false, error: toErrorData(error) };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      const off = subscribe?.(listener);
      return () => {
        listeners.delete(listener);
        off?.();
      };
    },
  };

  return {
    api: createClient(transport),
    calls,
    callsTo: <K extends MethodName>(method: K) =>
      calls.filter((c) => c.method === method).map((c) => c.input as MethodInput<K>),
    failNext(method, code, message, details) {
      failures.set(method, [...(failures.get(method) ?? []), new ConfabError(code, message, details)]);
    },
    holdNext(method) {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      gates.set(method, [...(gates.get(method) ?? []), gate]);
      return release;
    },
    emit(event, payload) {
      for (const listener of [...listeners]) listener(event, payload);
    },
  };
}
