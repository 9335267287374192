import {
  createContext,
  memo,
  useContext,
  useEffect,
  useRef,
  useState,
  type ComponentProps,
  type ReactNode,
} from 'react';
import Markdown, { type Components, type ExtraProps } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import rehypeKatex from 'rehype-katex';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import 'katex/dist/katex.min.css';
import { KATEX_OPTIONS, rehypeMathGuard } from './mathSafety';
import { MARKDOWN_MAX_CHARS, nodeText, safeUrl, type TextNode } from './markdownSafety';

/**
 * Message content as Markdown. Content is untrusted (model output or pasted text), so:
 * raw HTML is off (without rehype-raw, react-markdown turns HTML in the text into plain text), only http/https/mailto
 * URLs survive `urlTransform`, links open in a new window (the host sends http/https to the
 * system browser and blocks any other navigation), and images are never loaded: each becomes
 * a link labelled with its alt text. Math is typeset by KaTeX without `trust` (mathSafety.ts).
 * Nothing here injects raw HTML into the page.
 */
export const MessageMarkdown = memo(function MessageMarkdown({ content }: { content: string }) {
  if (content.length > MARKDOWN_MAX_CHARS) {
    return (
      <div className="markdown markdown--plain">
        <p className="message__note muted">Shown as plain text: long message</p>
        <div className="markdown__plain-text">{content}</div>
      </div>
    );
  }
  return (
    <div className="markdown">
      <Markdown
        remarkPlugins={REMARK_PLUGINS}
        rehypePlugins={REHYPE_PLUGINS}
        urlTransform={safeUrl}
        components={COMPONENTS}
      >
        {content}
      </Markdown>
    </div>
  );
});

const REMARK_PLUGINS = [remarkGfm, remarkMath];
const REHYPE_PLUGINS: ComponentProps<typeof Markdown>['rehypePlugins'] = [
  [rehypeKatex, KATEX_OPTIONS],
  rehypeMathGuard,
  [rehypeHighlight, { detect: false }],
];

/** True inside a link, so a linked image (`[![alt](src)](href)`) does not nest a second anchor. */
const InsideLink = createContext(false);

function Link({ href, children, title }: { href?: string; children?: ReactNode; title?: string }) {
  const nested = useContext(InsideLink);
  if (!href || nested) return <span className="markdown__dead-link">{children}</span>;
  return (
    <a href={href} title={title} target="_blank" rel="noopener noreferrer">
      <InsideLink.Provider value={true}>{children}</InsideLink.Provider>
    </a>
  );
}

function CodeBlock({ children, node }: ComponentProps<'pre'> & ExtraProps) {
  const text = nodeText(node as TextNode | undefined).replace(/\n$/, '');
  return (
    <div className="code-block">
      <CopyButton text={text} />
      <pre>{children}</pre>
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      return;
    }
    setCopied(true);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(false), 1500);
  };

  return (
    <button type="button" className="code-block__copy" aria-label="Copy code" onClick={() => void copy()}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

const COMPONENTS: Components = {
  a: ({ href, title, children }) => (
    <Link href={href} title={title}>
      {children}
    </Link>
  ),
  // Remote images are never fetched (the CSP blocks them too): show the alt text as a link.
  img: ({ src, alt, title }) => {
    const label = alt || title || (typeof src === 'string' ? src : '') || 'image';
    return (
      <Link href={typeof src === 'string' ? src : undefined} title={title}>
        <span className="markdown__image">[image: {label}]</span>
      </Link>
    );
  },
  pre: CodeBlock,
  table: ({ children }) => (
    <div className="markdown__table">
      <table>{children}</table>
    </div>
  ),
};
