/** The data domain's commands, registered in app/commands/registry.ts (so also in Cmd+K). */
import type { Command } from '../../app/commands/registry';
import { displayTitle } from '../sessions/sessionTitle';
import { activeChatId } from '../workspace/store';

export const exportChatMarkdownCommand: Command = {
  id: 'chat.exportMarkdown',
  label: 'Export chat as Markdown',
  keywords: (state) => ['download', 'save', 'md', displayTitle(state.sessionsById[activeChatId(state) ?? ''])],
  palette: true,
  when: (state) => {
    const id = activeChatId(state);
    return id !== null && id !== undefined && state.sessionsById[id] !== undefined;
  },
  run: (app) => {
    const id = activeChatId(app.getState());
    if (id) void app.getState().exportChatMarkdown(id);
  },
};
