import '../../test/setup';
import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageMarkdown } from './MessageMarkdown';
import { rehypeMathGuard } from './mathSafety';

const renderMd = (content: string) => render(<MessageMarkdown content={content} />).container;

describe('Math in messages', () => {
  it('typesets $…$ inline and $$…$$ as a block with KaTeX', () => {
    const root = renderMd('Energy: $E = mc^2$.\n\n$$\n\\frac{a}{b}\n$$');
    const inline = root.querySelector('p .katex');
    expect(inline).not.toBeNull();
    expect(inline!.closest('.katex-display')).toBeNull();
    expect(inline!.querySelector('annotation')?.textContent).toBe('E = mc^2');
    const block = root.querySelector('.katex-display');
    expect(block?.querySelector('.mfrac')).not.toBeNull();
    // Text around the formula stays text.
    expect(root.querySelector('p')?.textContent).toMatch(/^Energy: /);
  });

  it('shows a formula KaTeX cannot parse as an error in place, and the rest of the message', () => {
    const root = renderMd('Before $\\frac{1}{$ after');
    expect(root.textContent).toContain('Before');
    expect(root.textContent).toContain('after');
    expect(root.querySelector('.katex-error, .katex')).not.toBeNull();
  });

  it('never makes links, images or HTML from a formula', () => {
    const root = renderMd(
      [
        '$\\href{javascript:alert(1)}{click}$',
        '$\\url{javascript:alert(2)}$',
        '$\\includegraphics{https://example.invalid/x.png}$',
        '$\\htmlData{onerror=alert(3)}{x}$ $\\htmlId{pwn}{y}$ $\\htmlClass{pwn}{z}$ $\\htmlStyle{color:red}{w}$',
        '$<img src=x onerror="alert(4)">$',
        '$$\n\\href{data:text/html,<script>alert(5)</script>}{x}\n$$',
      ].join('\n\n'),
    );
    expect(root.querySelector('a, img, script, iframe, object, embed')).toBeNull();
    expect(root.querySelector('#pwn, .pwn, [data-onerror]')).toBeNull();
    for (const el of root.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) expect(attr.startsWith('on')).toBe(false);
    }
  });

  it('a formula that expands without end is cut off instead of freezing the window', () => {
    const started = performance.now();
    const root = renderMd('$\\def\\a{\\a\\a}\\a$');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(root.querySelector('.katex-error, .katex')).not.toBeNull();
  });

  it('the guard strips active elements, handlers and unsafe URLs from typeset math', () => {
    const tree = {
      type: 'root',
      children: [
        {
          type: 'element',
          tagName: 'span',
          properties: { className: ['katex'] },
          children: [
            { type: 'element', tagName: 'script', properties: {}, children: [] },
            { type: 'element', tagName: 'a', properties: { href: 'javascript:alert(1)', onClick: 'x' }, children: [] },
            { type: 'element', tagName: 'a', properties: { href: 'https://example.com/' }, children: [] },
          ],
        },
        // Outside math the Markdown rules apply; the guard leaves it alone.
        { type: 'element', tagName: 'a', properties: { href: 'https://example.com/x' }, children: [] },
      ],
    };
    rehypeMathGuard()(tree);
    const math = tree.children[0]!.children!;
    expect(math.map((c) => c.tagName)).toEqual(['a', 'a']);
    expect(math[0]!.properties).toEqual({});
    expect(math[1]!.properties).toEqual({ href: 'https://example.com/' });
    expect(tree.children[1]!.properties).toEqual({ href: 'https://example.com/x' });
  });
});
