import type { BranchMessage, Page } from '@shared/types';

/**
 * Folds a fresh newest page into what is shown. A branch is a path in a tree, so if the page's
 * oldest message is already shown, everything shown before it is that message's ancestry and is
 * still valid: keep it (and its cursor) instead of dropping pages the user scrolled back through.
 */
export function mergeNewestPage(
  current: { items: BranchMessage[]; nextCursor: string | null },
  page: Page<BranchMessage>,
): { items: BranchMessage[]; nextCursor: string | null } {
  const oldest = page.items[0];
  if (!oldest) return { items: [], nextCursor: null };
  const at = current.items.findIndex((m) => m.id === oldest.id);
  if (at <= 0) return { items: page.items, nextCursor: page.nextCursor };
  return { items: [...current.items.slice(0, at), ...page.items], nextCursor: current.nextCursor };
}
