/**
 * The building blocks of the contract: a method is a zod input schema plus a phantom output
 * type; an event is a phantom payload type with a runtime name, so the list of event names is
 * derived from the domains' declarations instead of kept by hand.
 */
import type { z } from 'zod';

export interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the output type only. */
  output?: O;
}

export function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input });
}

export interface EventSpec<P> {
  /** Phantom: carries the payload type only. */
  payload?: P;
}

export function event<P>(): EventSpec<P> {
  return {};
}

/**
 * Merges domains' declarations into one object, refusing a name declared twice: two domains
 * must never answer (or announce) the same name.
 */
export function mergeDeclarations<T extends readonly object[]>(...parts: T): UnionToIntersection<T[number]> {
  const merged: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [name, spec] of Object.entries(part)) {
      if (Object.hasOwn(merged, name)) throw new Error(`The contract declares "${name}" twice.`);
      merged[name] = spec;
    }
  }
  return merged as UnionToIntersection<T[number]>;
}

export type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
