/**
 * The view registry: every kind of tab that is not a chat. A new view (Settings→Data, Import,
 * Team) is one entry here; the tab strip, the saved tabs, the document title and Cmd+F read it.
 */
import type { ReactNode } from 'react';
import { UsageTab } from '../../features/usage/UsageTab';
import type { IconName } from '../../ui/Icon';

/** DOM ids that tie a view's panel to its tab (aria-labelledby). */
export interface ViewPanelIds {
  panelId: string;
  tabId: string;
}

export interface ViewSpec {
  /** The tab's title, and the window's while the view is shown. */
  title: string;
  icon: IconName;
  /** Whether Cmd/Ctrl+F opens Confab's find bar here; if not, the key stays the browser's. */
  supportsFind: boolean;
  render(ids: ViewPanelIds): ReactNode;
}

export const VIEWS = {
  usage: { title: 'Usage', icon: 'chart', supportsFind: false, render: (ids) => <UsageTab {...ids} /> },
} satisfies Record<string, ViewSpec>;

export type ViewId = keyof typeof VIEWS;

export function isKnownView(id: string): id is ViewId {
  return Object.hasOwn(VIEWS, id);
}

export function viewSpec(id: ViewId): ViewSpec {
  return VIEWS[id];
}
