/**
 * Naming a chat after its first exchange: a short request to the same model, and a fallback
 * taken from the user's first message when the model cannot answer.
 */
import type { ChatTurn } from '../providers/types';

export const TITLE_FALLBACK_CHARS = 48;
export const TITLE_MAX_CHARS = 80;
/** Enough for a few words in any tokenizer, small enough to cost next to nothing. */
export const TITLE_MAX_OUTPUT_TOKENS = 24;
/** Of each message, shown to the model: the gist is at the start. */
const EXCERPT_CHARS = 1500;

export function titlePrompt(question: string, answer: string): ChatTurn[] {
  return [
    {
      role: 'system',
      content:
        'You name chat conversations. Reply with a title of two to six words in the language of the conversation. ' +
        'Reply with the title only: no quotes, no trailing punctuation, no explanation.',
    },
    {
      role: 'user',
      content: `Name this conversation.\n\nUser: ${question.slice(0, EXCERPT_CHARS)}\n\nAssistant: ${answer.slice(0, EXCERPT_CHARS)}`,
    },
  ];
}

/** Models wrap titles in quotes, prefix "Title:", add markdown or a full stop; keep the words. */
export function cleanTitle(raw: string): string {
  const firstLine =
    raw
      .replace(/<think>[\s\S]*?<\/think>/gi, '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  const cleaned = firstLine
    .replace(/^(#+\s*|\*\*|title\s*:\s*)/i, '')
    .replace(/\*\*/g, '')
    .replace(/^["'“”‘’`«»]+|["'“”‘’`«»]+$/g, '')
    .replace(/[.。!！]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cutAtWord(cleaned, TITLE_MAX_CHARS);
}

/**
 * Markdown as plain words: a title shows text, not the syntax around it. Code fences keep their
 * code, links keep their text, and headings, emphasis, quotes and list markers go.
 */
export function stripMarkdown(text: string): string {
  return text
    .replace(/<think>[\s\S]*?<\/think>/gi, ' ')
    .replace(/^\s*(```|~~~)[^\n]*$/gm, ' ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/gm, '')
    .replace(/(\*\*|__|~~|`)/g, '')
    .replace(/(^|[\s(])[*_](\S[^*_]*\S|\S)[*_](?=[\s).,!?:;]|$)/g, '$1$2')
    .replace(/^\s*([-*_]\s*){3,}$/gm, ' ');
}

/** The start of the first question as plain words, cut at a word boundary. */
export function fallbackTitle(question: string): string {
  return cutAtWord(stripMarkdown(question).replace(/\s+/g, ' ').trim(), TITLE_FALLBACK_CHARS);
}

function cutAtWord(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max).join('');
  const space = head.lastIndexOf(' ');
  // A single long word (a URL, or a language without spaces) is cut where it must be.
  const cut = space >= max / 2 ? head.slice(0, space) : head;
  return `${cut.replace(/[\s,;:.-]+$/u, '')}…`;
}
