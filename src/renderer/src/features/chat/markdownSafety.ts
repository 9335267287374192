/**
 * Helpers for rendering untrusted message Markdown: which URLs may become links, and the plain
 * text of a (highlighted) code block for the Copy button.
 */

/** Above this many characters a message is shown as plain text, so a huge reply cannot freeze the window. */
export const MARKDOWN_MAX_CHARS = 200_000;

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * Keeps only absolute http:, https: and mailto: URLs; anything else (javascript:, data:,
 * vbscript:, file:, relative paths, protocol-relative //host) becomes '' and is rendered as no link.
 */
export function safeUrl(url: string): string {
  // Browsers ignore control characters and surrounding whitespace in URLs ("java\tscript:").
  const cleaned = url.replace(/[\u0000-\u001F\u007F]/g, '').trim();
  if (cleaned === '' || cleaned.startsWith('//')) return '';
  let parsed: URL;
  try {
    parsed = new URL(cleaned);
  } catch {
    return '';
  }
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol)) return '';
  if (parsed.protocol !== 'mailto:' && parsed.hostname === '') return '';
  return cleaned;
}

/** The shape of a hast node, as far as text extraction needs it. */
export interface TextNode {
  type: string;
  value?: string;
  children?: readonly TextNode[];
}

/** Concatenated text of a hast subtree (the code of a highlighted block, without its spans). */
export function nodeText(node: TextNode | undefined): string {
  if (!node) return '';
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map(nodeText).join('');
}
