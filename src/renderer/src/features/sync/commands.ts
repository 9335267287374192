/** Team sync's commands, registered in app/commands/registry.ts (so also in Cmd+K). */
import type { Command } from '../../app/commands/registry';
import type { AppState } from '../../app/types';
import { displayTitle } from '../sessions/sessionTitle';
import { activeChatId } from '../workspace/store';
import { isTeamChat } from './store';

/** The open chat, when it is this user's own (a teammate's chat cannot be shared from here). */
function ownActiveChat(state: AppState) {
  const id = activeChatId(state);
  const session = id ? state.sessionsById[id] : undefined;
  return session && !session.deletedAt && !isTeamChat(state, session.id) ? session : undefined;
}

export const shareChatCommand: Command = {
  id: 'chat.share',
  label: (state) => (ownActiveChat(state)?.visibility === 'team' ? 'Stop sharing with team' : 'Share with team'),
  keywords: (state) => ['team', 'sync', 'share', 'private', displayTitle(ownActiveChat(state))],
  palette: true,
  when: (state) => ownActiveChat(state) !== undefined,
  run: (app) => {
    const session = ownActiveChat(app.getState());
    if (session) void app.getState().setChatShared(session.id, session.visibility !== 'team');
  },
};
