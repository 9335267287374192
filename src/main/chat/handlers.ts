/** chat.*: sending, stopping, regenerating and editing; replies stream as chat.* events. */
import type { HandlerSlice } from '../kit/handlers';
import type { ChatRunner } from './runner';

export function chatHandlers(runner: ChatRunner): HandlerSlice<'chat'> {
  return {
    'chat.send': (i) => runner.send(i),
    'chat.stop': (i) => runner.stop(i.sessionId),
    'chat.regenerate': (i) => runner.regenerate(i),
    'chat.edit': (i) => runner.edit(i),
    'chat.active': async () => ({ sessionIds: runner.activeSessionIds() }),
  };
}
