import type { SessionSummary } from '@shared/types';

export type GroupLabel = 'Pinned' | 'Today' | 'Yesterday' | 'Previous 7 days' | 'Older';

export type SidebarRow = { kind: 'header'; label: GroupLabel } | { kind: 'session'; id: string; position: number };

function startOfLocalDay(now: Date, daysBack = 0): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysBack).getTime();
}

/** The group a session falls in, by its last activity in local time (pins win). */
export function groupOf(session: Pick<SessionSummary, 'pinned' | 'lastActivityAt'>, now: Date): GroupLabel {
  if (session.pinned) return 'Pinned';
  const at = Date.parse(session.lastActivityAt);
  if (at >= startOfLocalDay(now)) return 'Today';
  if (at >= startOfLocalDay(now, 1)) return 'Yesterday';
  if (at >= startOfLocalDay(now, 7)) return 'Previous 7 days';
  return 'Older';
}

/**
 * Interleaves group headers with the sessions, keeping the server's order (pinned first, then
 * newest activity). A group's header appears once, before its first session.
 */
export function sidebarRows(ids: readonly string[], byId: Record<string, SessionSummary>, now: Date): SidebarRow[] {
  const rows: SidebarRow[] = [];
  const seen = new Set<GroupLabel>();
  for (const id of ids) {
    const session = byId[id];
    if (!session) continue;
    const label = groupOf(session, now);
    if (!seen.has(label)) {
      seen.add(label);
      rows.push({ kind: 'header', label });
    }
    rows.push({ kind: 'session', id, position: rows.length - seen.size + 1 });
  }
  return rows;
}
