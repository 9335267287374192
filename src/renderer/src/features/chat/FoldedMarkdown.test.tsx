import '../../test/setup';
import { fireEvent, render, screen } from '@testing-library/react';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FoldedMarkdown, foldedPart } from './FoldedMarkdown';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

describe('Long messages fold', () => {
  it('a message over 40 lines shows its first part with Show more, and Show less folds it again', () => {
    const { container } = render(<FoldedMarkdown content={lines(60)} startOpen={false} />);
    expect(container.textContent).toContain('line 24');
    expect(container.textContent).not.toContain('line 25');
    const more = screen.getByRole('button', { name: 'Show more' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(more);
    expect(container.textContent).toContain('line 60');
    fireEvent.click(screen.getByRole('button', { name: 'Show less' }));
    expect(container.textContent).not.toContain('line 25');
  });

  it('a short message is shown whole, with no button', () => {
    const { container } = render(<FoldedMarkdown content={lines(40)} startOpen={false} />);
    expect(container.textContent).toContain('line 40');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('a reply watched while it was written starts unfolded', () => {
    const { container } = render(<FoldedMarkdown content={lines(60)} startOpen={true} />);
    expect(container.textContent).toContain('line 60');
    expect(screen.getByRole('button', { name: 'Show less' })).toBeTruthy();
  });

  it('a 100 KB paste renders only its first part, at once', () => {
    const paste = Array.from({ length: 2_000 }, (_, i) => `row ${i} ${'x'.repeat(45)}`).join('\n');
    expect(paste.length).toBeGreaterThan(100_000);
    const started = performance.now();
    const { container } = render(<FoldedMarkdown content={paste} startOpen={false} />);
    const elapsed = performance.now() - started;
    expect(container.textContent!.length).toBeLessThan(3_100);
    // Generous for a loaded machine; rendering all 2,000 lines as Markdown takes far longer.
    expect(elapsed).toBeLessThan(2_000);
  });

  it('one huge line is cut by characters', () => {
    const part = foldedPart('y'.repeat(50_000));
    expect(part).toHaveLength(3_000);
  });

  it('the folded part is always a prefix, shorter than the message, of at most 24 lines', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '#', '$'), maxLength: 12_000 }), (text) => {
        const part = foldedPart(text);
        if (part === null) return;
        expect(text.startsWith(part)).toBe(true);
        expect(part.length).toBeLessThan(text.length);
        expect(part.split('\n').length).toBeLessThanOrEqual(24);
      }),
    );
  });
});
