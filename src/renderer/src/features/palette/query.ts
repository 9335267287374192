/**
 * What the palette's input means, as pure functions: filter words (`in:archived`, `in:trash`, `in:team`,
 * `role:user`, `role:assistant`) taken out of the text that is searched, marked snippets split
 * into parts React can render as text, commands matched by their words, and hit dates.
 */
import { SNIPPET_MARK_END, SNIPPET_MARK_START } from '@shared/types';

export type PaletteView = 'all' | 'archived' | 'trash' | 'team';
export type PaletteRole = 'user' | 'assistant';

export interface PaletteQuery {
  /** What is searched for, without the filters. */
  text: string;
  view: PaletteView;
  role: PaletteRole | null;
  /** The filter words as typed (lowercased), for showing what applies. */
  filters: string[];
}

const FILTER_RE = /^(in:(archived|trash|team)|role:(user|assistant))$/i;

export function parsePaletteQuery(raw: string): PaletteQuery {
  const words = raw.trim().split(/\s+/).filter(Boolean);
  let view: PaletteView = 'all';
  let role: PaletteRole | null = null;
  const filters: string[] = [];
  const kept: string[] = [];
  let lastWasFilter = false;
  for (const word of words) {
    const match = FILTER_RE.exec(word);
    lastWasFilter = match !== null;
    if (!match) {
      kept.push(word);
      continue;
    }
    const lower = word.toLowerCase();
    if (match[2]) view = match[2].toLowerCase() as PaletteView;
    if (match[3]) role = match[3].toLowerCase() as PaletteRole;
    // A later filter of the same kind replaces an earlier one.
    const kind = lower.split(':')[0];
    const at = filters.findIndex((f) => f.startsWith(`${kind}:`));
    if (at >= 0) filters.splice(at, 1);
    filters.push(lower);
  }
  // A trailing space after a word means the word is finished (no prefix search); keep it.
  const trailing = !lastWasFilter && kept.length > 0 && /\s$/.test(raw) ? ' ' : '';
  return { text: kept.join(' ') + trailing, view, role, filters };
}

export interface SnippetPart {
  text: string;
  marked: boolean;
}

/** Splits a snippet whose hits are wrapped in the mark characters; stray marks are dropped. */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let marked = false;
  let current = '';
  const push = () => {
    if (current) parts.push({ text: current, marked });
    current = '';
  };
  for (const ch of snippet) {
    if (ch === SNIPPET_MARK_START) {
      push();
      marked = true;
    } else if (ch === SNIPPET_MARK_END) {
      push();
      marked = false;
    } else {
      current += ch;
    }
  }
  push();
  return parts;
}

export interface CommandLike {
  label: string;
  keywords?: string[];
}

/** Commands whose label or keywords contain every word typed, in their own order. */
export function matchCommands<T extends CommandLike>(commands: readonly T[], text: string): T[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...commands];
  return commands.filter((c) => {
    const haystack = [c.label, ...(c.keywords ?? [])].join(' ').toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/**
 * Commands found by their label first; commands found only by other words (the open chat's
 * title is one of Pin chat's words) after the search hits. Typing a word of a chat's title must
 * put that chat on top, so Enter opens it rather than pinning the open one.
 */
export function splitCommandsByStrength<T extends CommandLike>(
  matched: readonly T[],
  text: string,
): { strong: T[]; weak: T[] } {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { strong: [...matched], weak: [] };
  const strong: T[] = [];
  const weak: T[] = [];
  for (const c of matched) {
    const label = c.label.toLowerCase();
    (words.every((w) => label.includes(w)) ? strong : weak).push(c);
  }
  return { strong, weak };
}

/** "Today 14:05", "Yesterday 09:12", "3 Mar", "3 Mar 2025": short, and exact enough to tell hits apart. */
export function formatHitDate(iso: string, now: Date, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const time = date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const day = 24 * 60 * 60 * 1000;
  if (date.getTime() >= startOfToday && date.getTime() < startOfToday + day) return `Today ${time}`;
  if (date.getTime() >= startOfToday - day && date.getTime() < startOfToday) return `Yesterday ${time}`;
  const sameYear = date.getFullYear() === now.getFullYear();
  return date.toLocaleDateString(locale, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
}
