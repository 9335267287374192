import type { AppState } from '../../app/types';
import type { WorkspaceItem } from '../../app/workspace/items';
import { viewSpec } from '../../app/workspace/views';
import { displayTitle } from '../sessions/sessionTitle';

/** What a tab is called: its chat's title, or the name of the view it shows. */
export function tabTitle(state: Pick<AppState, 'sessionsById'>, item: WorkspaceItem): string {
  return item.kind === 'chat' ? displayTitle(state.sessionsById[item.sessionId]) : viewSpec(item.view).title;
}
