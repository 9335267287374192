/**
 * Open tabs as kept in ui_state (key `tabs`), across app versions. ui_state is free-form JSON that
 * an older or newer build may have written: trust nothing, keep what can be understood.
 *
 * Version 1 (until the workspace model): `{ open: string[]; active: string | null }`, where an id is
 * a session id or `view:<id>` (`view:usage` was the Usage tab).
 * Version 2: `{ version: 2; items: WorkspaceItem[]; active: number | null }`, `active` an index.
 */
import { chatItem, itemKey, viewItem, type ItemKey, type WorkspaceItem } from './items';
import type { ViewId } from './views';

export const TABS_UI_KEY = 'tabs';
export const SAVED_TABS_VERSION = 2;

/** A type, not an interface: ui.set takes JSON, and only type aliases satisfy its index signature. */
export type SavedTabsV2 = {
  version: typeof SAVED_TABS_VERSION;
  items: WorkspaceItem[];
  active: number | null;
};

export interface RestoredTabs {
  items: WorkspaceItem[];
  active: ItemKey | null;
}

export type IsKnownView = (id: string) => id is ViewId;

const LEGACY_VIEW_PREFIX = 'view:';

export function serializeTabs(items: readonly WorkspaceItem[], active: ItemKey | null): SavedTabsV2 {
  const at = active === null ? -1 : items.findIndex((item) => itemKey(item) === active);
  return { version: SAVED_TABS_VERSION, items: items.map(copyItem), active: at < 0 ? null : at };
}

export function parseSavedTabs(value: unknown, isKnownView: IsKnownView): RestoredTabs {
  if (typeof value !== 'object' || value === null) return { items: [], active: null };
  const v = value as { version?: unknown; items?: unknown; open?: unknown; active?: unknown };
  return v.version === SAVED_TABS_VERSION ? parseV2(v, isKnownView) : parseV1(v, isKnownView);
}

function parseV2(v: { items?: unknown; active?: unknown }, isKnownView: IsKnownView): RestoredTabs {
  const raw = Array.isArray(v.items) ? v.items : [];
  const parsed = raw.map((entry) => parseItem(entry, isKnownView));
  const activeEntry = typeof v.active === 'number' && Number.isInteger(v.active) ? parsed[v.active] : undefined;
  return withActive(
    parsed.filter((item): item is WorkspaceItem => item !== null),
    activeEntry ? itemKey(activeEntry) : null,
  );
}

function parseItem(entry: unknown, isKnownView: IsKnownView): WorkspaceItem | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const e = entry as { kind?: unknown; sessionId?: unknown; view?: unknown };
  if (e.kind === 'chat' && typeof e.sessionId === 'string' && e.sessionId !== '') return chatItem(e.sessionId);
  if (e.kind === 'view' && typeof e.view === 'string' && isKnownView(e.view)) return viewItem(e.view);
  return null;
}

function parseV1(v: { open?: unknown; active?: unknown }, isKnownView: IsKnownView): RestoredTabs {
  const ids = Array.isArray(v.open) ? v.open.filter((id): id is string => typeof id === 'string' && id !== '') : [];
  const fromLegacyId = (id: string): WorkspaceItem | null => {
    if (!id.startsWith(LEGACY_VIEW_PREFIX)) return chatItem(id);
    const view = id.slice(LEGACY_VIEW_PREFIX.length);
    return isKnownView(view) ? viewItem(view) : null;
  };
  const items = ids.map(fromLegacyId).filter((item): item is WorkspaceItem => item !== null);
  const activeItem = typeof v.active === 'string' ? fromLegacyId(v.active) : null;
  return withActive(items, activeItem ? itemKey(activeItem) : null);
}

/** Drops repeats (first one wins) and an active key that is not among the items. */
function withActive(items: WorkspaceItem[], active: ItemKey | null): RestoredTabs {
  const seen = new Set<ItemKey>();
  const unique = items.filter((item) => {
    const key = itemKey(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { items: unique, active: active !== null && seen.has(active) ? active : null };
}

function copyItem(item: WorkspaceItem): WorkspaceItem {
  return item.kind === 'chat' ? chatItem(item.sessionId) : viewItem(item.view);
}
