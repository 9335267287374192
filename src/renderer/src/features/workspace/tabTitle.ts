import { USAGE_TAB } from './store';
import type { AppState } from '../../app/types';
import { displayTitle } from '../sessions/sessionTitle';

/** What a tab is called: its chat's title, or the name of the view it shows. */
export function tabTitle(state: Pick<AppState, 'sessionsById'>, tabId: string): string {
  if (tabId === USAGE_TAB) return 'Usage';
  return displayTitle(state.sessionsById[tabId]);
}
