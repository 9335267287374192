/**
 * One entry point for every request, whatever the transport: look the method up in the
 * contract, validate the payload with its zod schema, run the handler, and return an envelope.
 * A bad payload is a typed `invalid_input` error, never an exception that escapes.
 */
import type { Envelope } from '@shared/client';
import { contract, isMethodName, type MethodName } from '@shared/contract';
import { ConfabError, toErrorData } from '@shared/errors';
import { ERROR_MESSAGE_MAX_CHARS } from '@shared/limits';
import type { HandlerMap } from '../kit/handlers';

export type { HandlerMap };

/** A sentence about the first few problems, never longer than the cap whatever the payload. */
function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const shown = error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.slice(0, 8).map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return clip(shown, ERROR_MESSAGE_MAX_CHARS - 100) + more;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Deeper than any real payload; zod's recursive parser overflows the stack long before 10k. */
const MAX_DEPTH = 64;

/**
 * Checks what zod cannot be trusted with, without recursion: a payload nested deeply enough
 * makes zod throw RangeError (an exception, not an envelope), and a `__proto__` key inside a
 * record or a JSON value is silently re-parented by zod instead of being kept or refused.
 */
function unsafeShape(input: unknown): string | null {
  const stack: [unknown, number][] = [[input, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
    if (Object.hasOwn(value, '__proto__')) return 'a "__proto__" key is not allowed';
    for (const child of Object.values(value))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return null;
}

function invalid(method: MethodName, reason: string): Envelope<unknown> {
  return { ok: false, error: { code: 'invalid_input', message: `Invalid request for ${method}: ${reason}` } };
}

export async function dispatch(handlers: HandlerMap, method: unknown, input: unknown): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    // String(method) would throw for an object without a prototype; the name is for the log only.
    const shown = typeof method === 'string' ? method.slice(0, 100) : `(${typeof method})`;
    return { ok: false, error: { code: 'unknown_method', message: `Unknown method: ${shown}` } };
  }
  const unsafe = unsafeShape(input);
  if (unsafe) return invalid(method, unsafe);
  let parsed;
  try {
    parsed = contract[method].input.safeParse(input ?? {});
  } catch {
    return invalid(method, 'the payload could not be read');
  }
  if (!parsed.success) return invalid(method, describeIssues(parsed.error));
  try {
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    if (!(err instanceof ConfabError)) console.error(`[confab] ${method} failed`, err);
    return { ok: false, error: toErrorData(err) };
  }
}
