/**
 * What a tab shows: a chat, or a view (Usage today; Settings→Data, Import, Team later). Tabs hold
 * these typed items, so no code has to tell a view from a chat by looking at an id.
 */
import type { ViewId } from './views';

export type WorkspaceItem = { kind: 'chat'; sessionId: string } | { kind: 'view'; view: ViewId };

/** A stable string per item, for lookups, React keys and "which tab is active". */
export type ItemKey = string;

export const chatItem = (sessionId: string): WorkspaceItem => ({ kind: 'chat', sessionId });
export const viewItem = (view: ViewId): WorkspaceItem => ({ kind: 'view', view });

export function itemKey(item: WorkspaceItem): ItemKey {
  return item.kind === 'chat' ? `chat:${item.sessionId}` : `view:${item.view}`;
}

/** The chat an item shows, or null for a view. */
export function chatIdOf(item: WorkspaceItem | null | undefined): string | null {
  return item?.kind === 'chat' ? item.sessionId : null;
}

/**
 * The part of an item that names it in the DOM (tab and panel ids). A chat keeps its bare session
 * id, as before items were typed, so `tab-<sessionId>` still labels its panel.
 */
export function itemDomKey(item: WorkspaceItem): string {
  return item.kind === 'chat' ? item.sessionId : `view-${item.view}`;
}

/** Like a browser: closing the active tab selects its right-hand neighbour, else the left. */
export function activeAfterClose(open: readonly ItemKey[], active: ItemKey | null, closing: ItemKey): ItemKey | null {
  if (active !== closing) return active;
  const i = open.indexOf(closing);
  return open[i + 1] ?? open[i - 1] ?? null;
}

/** `list` with the entry at `from` moved to `toIndex` (an index into the list without it), clamped. */
export function moveEntry<T>(list: readonly T[], from: number, toIndex: number): T[] {
  const moved = list[from];
  if (from < 0 || moved === undefined) return [...list];
  const rest = list.filter((_, i) => i !== from);
  const at = Math.max(0, Math.min(rest.length, toIndex));
  return [...rest.slice(0, at), moved, ...rest.slice(at)];
}
