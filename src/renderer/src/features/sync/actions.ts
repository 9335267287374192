/** Named actions of team sync that also open tabs. */
import type { AppStore } from '../../app/types';
import { openChat } from '../workspace/actions';

/** "Continue in my copy": forks a teammate's chat into one of this user's and opens it, ready to type. */
export async function continueInMyCopy(app: AppStore, sessionId: string): Promise<string | null> {
  const copy = await app.getState().forkTeamSession(sessionId);
  if (copy) openChat(app, copy, { focusComposer: true });
  return copy;
}
