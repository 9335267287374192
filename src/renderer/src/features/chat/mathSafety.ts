/**
 * Math in messages (`$…$`, `$$…$$`) is typeset by KaTeX, whose HTML rehype-katex parses back into
 * the tree. The text is untrusted, so KaTeX runs without `trust` (no \href, \url, \includegraphics,
 * \htmlId/\htmlData…) and with limits that keep a hostile formula from freezing the window, and a
 * last pass over the tree removes anything a renderer bug could still let through: active elements,
 * event-handler attributes and URLs that are not http, https or mailto.
 */
import type { KatexOptions } from 'katex';
import { safeUrl } from './markdownSafety';

export const KATEX_OPTIONS: Omit<KatexOptions, 'displayMode' | 'throwOnError'> = {
  trust: false,
  strict: 'ignore',
  // Macro expansions and sizes a formula may ask for; beyond them KaTeX shows an error instead.
  maxExpand: 500,
  maxSize: 20,
  // Errors keep the theme's error colour (the style attribute takes a CSS variable).
  errorColor: 'var(--danger-text)',
  output: 'htmlAndMathml',
};

/** Elements that can run code, load content or navigate: never rendered, whatever made them. */
const ACTIVE_ELEMENTS = new Set([
  'script',
  'style',
  'iframe',
  'object',
  'embed',
  'link',
  'meta',
  'base',
  'form',
  'frame',
  'frameset',
  'template',
  'img',
  'video',
  'audio',
  'source',
  'input',
  'button',
  'textarea',
  'select',
]);
const URL_PROPERTIES = new Set(['href', 'src', 'srcSet', 'action', 'formAction', 'xLinkHref', 'poster', 'data']);

interface HastNode {
  type: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

/** Cleans what rehype-katex inserted (everything under a `.katex` element). */
export function rehypeMathGuard() {
  return (tree: HastNode) => {
    visit(tree, false);
  };
}

function isKatexRoot(node: HastNode): boolean {
  const cls = node.properties?.className;
  return Array.isArray(cls) && (cls.includes('katex') || cls.includes('katex-display') || cls.includes('katex-error'));
}

function visit(node: HastNode, insideMath: boolean): void {
  const children = node.children;
  if (!children) return;
  node.children = children.filter((child) => {
    if (child.type !== 'element') return true;
    const inMath = insideMath || isKatexRoot(child);
    if (inMath && ACTIVE_ELEMENTS.has(child.tagName ?? '')) return false;
    if (inMath) cleanProperties(child);
    visit(child, inMath);
    return true;
  });
}

function cleanProperties(element: HastNode): void {
  const properties = element.properties;
  if (!properties) return;
  for (const name of Object.keys(properties)) {
    if (/^on/i.test(name)) delete properties[name];
    else if (URL_PROPERTIES.has(name)) {
      const value = properties[name];
      if (typeof value !== 'string' || safeUrl(value) === '') delete properties[name];
    }
  }
}
