import { useId, useState } from 'react';
import { MessageMarkdown } from './MessageMarkdown';

/** A message longer than this many lines (or characters) is folded. */
export const FOLD_MIN_LINES = 40;
const FOLD_MIN_CHARS = 8_000;
/** What a folded message shows: its first lines, at most this many characters. */
const FOLDED_LINES = 24;
const FOLDED_CHARS = 3_000;

/**
 * The start of a long message, or null when it is short enough to show whole. Cutting by lines
 * first keeps Markdown blocks intact more often; the character cap covers one huge line.
 */
export function foldedPart(content: string): string | null {
  if (content.length <= FOLD_MIN_CHARS && lineCountAtMost(content, FOLD_MIN_LINES)) return null;
  // The end of the FOLDED_LINES-th line.
  let end = -1;
  for (let line = 0; line < FOLDED_LINES; line++) {
    const next = content.indexOf('\n', end + 1);
    if (next === -1) {
      end = content.length;
      break;
    }
    end = next;
  }
  const byLines = content.slice(0, end);
  return byLines.length > FOLDED_CHARS ? byLines.slice(0, FOLDED_CHARS) : byLines;
}

function lineCountAtMost(text: string, max: number): boolean {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) if (++lines > max) return false;
  return true;
}

/**
 * Message Markdown, folded to its first part when long, with Show more / Show less. Rendering only
 * the first part is also what lets a 100 KB paste appear at once. A reply watched while it is
 * written starts unfolded (`startOpen`), so it does not collapse under the reader when it ends.
 */
export function FoldedMarkdown({ content, startOpen }: { content: string; startOpen: boolean }) {
  const [open, setOpen] = useState(startOpen);
  const id = useId();
  const part = foldedPart(content);
  if (part === null) return <MessageMarkdown content={content} />;
  return (
    <>
      <div id={id} className={open ? undefined : 'message__folded'}>
        <MessageMarkdown content={open ? content : part} />
      </div>
      <button
        type="button"
        className="button button--link message__fold"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        {open ? 'Show less' : 'Show more'}
      </button>
    </>
  );
}
