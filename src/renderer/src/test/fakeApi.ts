/**
 * A fake API made of the handlers a test gives it, and nothing else: no second backend. It
 * answers the reads every app start makes with "nothing yet" (see STARTUP_READS), so a test names
 * only the methods its behaviour is about. A call to a method without a handler fails like an
 * unknown method, which shows as an error banner and points at the missing handler.
 */
import { contract, type MethodName, type MethodOutput, type ParsedInput } from '@shared/contract';
import { ConfabError } from '@shared/errors';
import { syncStatusOff } from '@shared/sync/status';
import { withControls, type Controls } from './controls';
import { PRESETS, someChatSettings } from './seed';

export type Handler<K extends MethodName> = (input: ParsedInput<K>) => MethodOutput<K> | Promise<MethodOutput<K>>;
export type FakeHandlers = { [K in MethodName]?: Handler<K> };

/** What startApp reads, answered as for a first start with no data. */
export const STARTUP_READS: FakeHandlers = {
  'sessions.list': () => ({ items: [], nextCursor: null }),
  'sessions.tags': () => [],
  'ui.get': () => null,
  'ui.set': () => null,
  'providers.list': () => [],
  'providers.presets': () => PRESETS,
  'settings.getChat': () => someChatSettings(),
  'chat.active': () => ({ sessionIds: [] }),
  'sync.status': () => syncStatusOff(),
  'sync.teamSessions': () => [],
};

export interface FakeApi extends Controls {
  /** Adds or replaces handlers, e.g. for what a later step of the test reads. */
  handle(more: FakeHandlers): void;
}

export function fakeApi(handlers: FakeHandlers = {}): FakeApi {
  const table: FakeHandlers = { ...STARTUP_READS, ...handlers };
  const controls = withControls(async (method, raw) => {
    // Main validates every request before a handler runs; so does the fake.
    const parsed = contract[method].input.safeParse(raw);
    if (!parsed.success) throw new ConfabError('invalid_input', `Bad input for ${method}: ${parsed.error.message}`);
    const handler = table[method] as ((input: unknown) => unknown) | undefined;
    if (!handler) throw new ConfabError('unknown_method', `This test gives no handler for ${method}.`);
    return handler(parsed.data);
  });
  return {
    ...controls,
    handle(more) {
      Object.assign(table, more);
    },
  };
}
