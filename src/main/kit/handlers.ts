/**
 * The types domains implement, kept below core/ so that a domain never imports core: a handler
 * map (derived from the contract), a domain's slice of it, the event emitter, and the host's
 * abilities a domain may use.
 */
import type { EventMap, EventName, MethodName, MethodOutput, ParsedInput } from '@shared/contract';

export type HandlerMap = {
  [K in MethodName]: (input: ParsedInput<K>) => Promise<MethodOutput<K>>;
};

/** The handlers of the methods whose names start with `Prefix.` (e.g. HandlerSlice<'sessions'>). */
export type HandlerSlice<Prefix extends string> = Pick<HandlerMap, Extract<MethodName, `${Prefix}.${string}`>>;

/** Sends typed events to every connected view (Electron windows, web host sockets). */
export interface Emitter {
  emit<E extends EventName>(name: E, payload: EventMap[E]): void;
}

/**
 * What a save writes: text, bytes, or a file already written (a Confab export with attached files
 * can be gigabytes; it is copied by the file system, never read into memory).
 */
export type SaveContent = string | Uint8Array | { fromPath: string };
/**
 * A host's save dialog: asks where to save `suggestedName`, then writes what `produce` returns.
 * Resolves to the chosen path, or null when the user cancelled. The web host has none.
 */
export type SaveTextFile = (
  suggestedName: string,
  produce: () => Promise<SaveContent>,
) => Promise<{ path: string } | null>;
