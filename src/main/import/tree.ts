/**
 * Turns an export's nodes into Confab's tree: hidden nodes (system prompts, thoughts, empty
 * placeholders) are skipped and their children attached to the nearest shown ancestor; thoughts
 * travel down to the next assistant message as its reasoning; a parent that is not in the file
 * makes its node a root (reported); a cycle is broken (reported). The result lists parents
 * before children, so the writer can insert it in one pass.
 */
import type { ImportedMessage } from '@shared/types/import';

export type DraftMessage = Omit<ImportedMessage, 'sourceId' | 'parentSourceId' | 'createdAt'> & {
  createdAt: string | null;
};

export interface TreeNode {
  id: string;
  parentId: string | null;
  /** Null: the node is not shown (root placeholder, system, hidden, empty). */
  message: DraftMessage | null;
  /** Reasoning a hidden node hands to the next assistant message below it (ChatGPT thoughts). */
  carryReasoning?: string;
  /** Order in the file: the tie-break for siblings created at the same time. */
  order: number;
}

export interface BuiltTree {
  messages: ImportedMessage[];
  currentLeafSourceId: string | null;
  repairs: string[];
  branchPoints: number;
}

const joinReasoning = (a: string, b: string) => (a && b ? `${a}\n\n${b}` : a || b);

export function buildTree(nodes: TreeNode[], options: { currentId: string | null; fallbackTime: string }): BuiltTree {
  const repairs: string[] = [];
  const byId = new Map<string, TreeNode>();
  for (const node of nodes) {
    if (byId.has(node.id)) {
      repairs.push(`A second node with the id ${node.id} was skipped.`);
      continue;
    }
    byId.set(node.id, node);
  }
  const children = new Map<string | null, TreeNode[]>();
  for (const node of byId.values()) {
    let parent = node.parentId;
    if (parent !== null && (!byId.has(parent) || parent === node.id)) {
      repairs.push(`The parent ${parent} of ${node.id} is not in the file; ${node.id} starts a branch of its own.`);
      parent = null;
    }
    const list = children.get(parent) ?? [];
    list.push(node);
    children.set(parent, list);
  }
  const time = (n: TreeNode) => n.message?.createdAt ?? '';
  for (const list of children.values()) list.sort((a, b) => time(a).localeCompare(time(b)) || a.order - b.order);

  const messages: ImportedMessage[] = [];
  const shownParent = new Map<string, string | null>();
  const visited = new Set<string>();
  interface Frame {
    node: TreeNode;
    shown: string | null;
    shownTime: string;
    pending: string;
  }
  const walk = (root: TreeNode) => {
    const stack: Frame[] = [{ node: root, shown: null, shownTime: options.fallbackTime, pending: '' }];
    while (stack.length > 0) {
      const { node, shown, shownTime, pending } = stack.pop()!;
      if (visited.has(node.id)) continue;
      visited.add(node.id);
      let next: Omit<Frame, 'node'>;
      const draft = node.message;
      if (draft) {
        const createdAt = draft.createdAt ?? shownTime;
        const reasoning = draft.role === 'assistant' ? joinReasoning(pending, draft.reasoning) : draft.reasoning;
        messages.push({ ...draft, reasoning, createdAt, sourceId: node.id, parentSourceId: shown });
        shownParent.set(node.id, shown);
        next = { shown: node.id, shownTime: createdAt, pending: draft.role === 'assistant' ? '' : pending };
      } else {
        next = { shown, shownTime, pending: joinReasoning(pending, node.carryReasoning ?? '') };
      }
      const kids = children.get(node.id) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, ...next });
    }
  };
  for (const root of children.get(null) ?? []) walk(root);
  // Nodes never reached hang in a cycle: break it at the earliest one.
  const left = [...byId.values()].filter((n) => !visited.has(n.id));
  if (left.length > 0) {
    repairs.push(`${left.length} node(s) formed a loop of parents; the loop was cut.`);
    left.sort((a, b) => time(a).localeCompare(time(b)) || a.order - b.order);
    for (const node of left) if (!visited.has(node.id)) walk(node);
  }

  const childCount = new Map<string, number>();
  for (const m of messages)
    if (m.parentSourceId) childCount.set(m.parentSourceId, (childCount.get(m.parentSourceId) ?? 0) + 1);
  let rootCount = 0;
  for (const m of messages) if (m.parentSourceId === null) rootCount++;
  const branchPoints = [...childCount.values()].filter((n) => n > 1).length + (rootCount > 1 ? 1 : 0);

  return { messages, currentLeafSourceId: chooseLeaf(messages, byId, options.currentId), repairs, branchPoints };
}

/** The shown message nearest to `currentId` going up; else the newest leaf. */
function chooseLeaf(messages: ImportedMessage[], byId: Map<string, TreeNode>, currentId: string | null): string | null {
  if (messages.length === 0) return null;
  const shown = new Set(messages.map((m) => m.sourceId));
  const seen = new Set<string>();
  let cursor = currentId;
  while (cursor !== null && !seen.has(cursor)) {
    if (shown.has(cursor)) return cursor;
    seen.add(cursor);
    cursor = byId.get(cursor)?.parentId ?? null;
  }
  const parents = new Set(messages.map((m) => m.parentSourceId));
  let newest: ImportedMessage | null = null;
  for (const m of messages) if (!parents.has(m.sourceId) && (!newest || m.createdAt >= newest.createdAt)) newest = m;
  return newest?.sourceId ?? null;
}
