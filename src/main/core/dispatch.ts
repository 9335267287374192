/**
 * One entry point for every request, whatever the transport: look the method up in the
 * contract, validate the payload with its zod schema, run the handler, and return an envelope.
 * A bad payload is a typed `invalid_input` error, never an exception that escapes.
 */
import type { Envelope } from '@shared/client';
import { contract, isMethodName, type MethodName, type MethodOutput, type ParsedInput } from '@shared/contract';
import { ConfabError, toErrorData } from '@shared/errors';

export type HandlerMap = {
  [K in MethodName]: (input: ParsedInput<K>) => Promise<MethodOutput<K>>;
};

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export async function dispatch(handlers: HandlerMap, method: unknown, input: unknown): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'unknown_method', message: `Unknown method: ${String(method).slice(0, 100)}` } };
  }
  const parsed = contract[method].input.safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: 'invalid_input', message: `Invalid request for ${method}: ${describeIssues(parsed.error)}` },
    };
  }
  try {
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    if (!(err instanceof ConfabError)) console.error(`[confab] ${method} failed`, err);
    return { ok: false, error: toErrorData(err) };
  }
}
