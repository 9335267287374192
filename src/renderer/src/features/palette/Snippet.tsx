import { splitSnippet } from './query';

/**
 * A search snippet with its hits in <mark>. The text is untrusted (it is message content), so it
 * is only ever rendered as React text nodes, never as HTML.
 */
export function Snippet({ snippet, className }: { snippet: string; className?: string }) {
  return (
    <span className={className}>
      {splitSnippet(snippet).map((part, i) =>
        part.marked ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
      )}
    </span>
  );
}
