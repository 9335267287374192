/**
 * One chat as Markdown: the chosen branch, oldest first, each turn headed by who spoke (and which
 * model), reasoning folded in a <details> block so a reader sees the answer first.
 */
import type { BranchMessage, SessionSummary } from '@shared/types';

const ROLE_NAMES: Record<BranchMessage['role'], string> = { user: 'You', assistant: 'Assistant', system: 'System', tool: 'Tool' };

export function chatToMarkdown(session: Pick<SessionSummary, 'title' | 'createdAt' | 'model'>, branch: readonly BranchMessage[]): string {
  const out: string[] = [`# ${session.title.trim() || 'Untitled chat'}`, '', `*${session.createdAt.slice(0, 10)}${session.model ? ` · ${session.model}` : ''}*`, ''];
  for (const m of branch) {
    const who = m.role === 'assistant' && m.model ? `${ROLE_NAMES[m.role]} (${m.model})` : ROLE_NAMES[m.role];
    out.push(`## ${who}`, '');
    if (m.reasoning.trim() !== '') {
      out.push('<details><summary>Reasoning</summary>', '', m.reasoning.trim(), '', '</details>', '');
    }
    out.push(m.content, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** A file name from a title: letters, digits and dashes, never empty. */
export function markdownFileName(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${base || 'chat'}.md`;
}
