import '../../test/setup';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageMarkdown } from './MessageMarkdown';
import { safeUrl } from './markdownSafety';

const renderMd = (content: string) => render(<MessageMarkdown content={content} />).container;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('MessageMarkdown', () => {
  it('renders headings, lists, GFM tables, strikethrough and task lists', () => {
    const root = renderMd(
      [
        '# Title',
        '',
        '- one',
        '- two',
        '',
        '1. first',
        '',
        '| a | b |',
        '| - | - |',
        '| 1 | 2 |',
        '',
        '~~gone~~',
        '',
        '- [x] done',
      ].join('\n'),
    );
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect(root.querySelectorAll('ul li')).toHaveLength(3);
    expect(root.querySelector('ol li')?.textContent).toBe('first');
    expect(root.querySelectorAll('table th')).toHaveLength(2);
    expect(root.querySelector('table td')?.textContent).toBe('1');
    expect(root.querySelector('del')?.textContent).toBe('gone');
    expect(root.querySelector<HTMLInputElement>('input[type="checkbox"]')?.checked).toBe(true);
  });

  it('highlights code blocks and copies their text', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const root = renderMd('Some `inline`\n\n```js\nconst x = "a";\n```\n');
    const code = root.querySelector('pre code');
    expect(code?.className).toContain('hljs');
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(root.querySelector('p code')?.textContent).toBe('inline');

    const button = screen.getByRole('button', { name: 'Copy code' });
    await act(async () => {
      fireEvent.click(button);
      await Promise.resolve();
    });
    expect(writeText).toHaveBeenCalledWith('const x = "a";');
    expect(button.textContent).toBe('Copied');
  });

  it('shows raw HTML as text, never as elements', () => {
    const payloads = [
      '<script>window.__xss = 1</script>',
      '<img src=x onerror="window.__xss = 1">',
      '<svg onload="window.__xss = 1"></svg>',
      '<iframe srcdoc="<script>window.__xss = 1</script>"></iframe>',
      '&lt;script&gt;alert(1)&lt;/script&gt;',
    ];
    const root = renderMd(payloads.join('\n\n'));
    expect(root.querySelectorAll('script, img, svg, iframe')).toHaveLength(0);
    expect(root.querySelectorAll('[onerror], [onload], [srcdoc]')).toHaveLength(0);
    expect(root.textContent).toContain('<script>window.__xss = 1</script>');
    expect(root.textContent).toContain('<img src=x onerror="window.__xss = 1">');
    expect(root.textContent).toContain('<iframe srcdoc=');
    // Entities decode to text, not markup.
    expect(root.textContent).toContain('<script>alert(1)</script>');
  });

  it('keeps only http, https and mailto links, opened outside the app', () => {
    const root = renderMd(
      [
        '[js](javascript:alert(1))',
        '[data](data:text/html,<script>alert(1)</script>)',
        '[vb](vbscript:msgbox)',
        '[file](file:///etc/passwd)',
        '[rel](/settings)',
        '<javascript:alert(1)>',
        '[ok](https://example.com/a)',
        '[mail](mailto:a@example.com)',
        'www.example.org',
      ].join('\n\n'),
    );
    const hrefs = [...root.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual(['https://example.com/a', 'mailto:a@example.com', 'http://www.example.org']);
    for (const a of root.querySelectorAll('a')) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    }
    expect(root.textContent).toContain('js');
    expect(root.textContent).toContain('data');
  });

  it('renders images as links with their alt text, never loading them', () => {
    const root = renderMd('![a cat](https://example.com/cat.png) ![bad](javascript:alert(1))');
    expect(root.querySelectorAll('img')).toHaveLength(0);
    const links = root.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://example.com/cat.png');
    expect(links[0]!.textContent).toContain('a cat');
    expect(root.textContent).toContain('bad');
  });

  it('does not nest anchors for a linked image', () => {
    const root = renderMd('[![logo](https://example.com/logo.png)](https://example.com/home)');
    expect(root.querySelectorAll('a')).toHaveLength(1);
    expect(root.querySelector('a')?.getAttribute('href')).toBe('https://example.com/home');
    expect(root.querySelector('a')?.textContent).toContain('logo');
  });

  it('shows a 1 MB message as plain text', () => {
    const big = '# not a heading\n' + '<b>x</b> '.repeat(120_000);
    const root = renderMd(big);
    expect(screen.getByText('Shown as plain text: long message')).toBeTruthy();
    expect(root.querySelector('h1, b')).toBeNull();
    expect(root.querySelector('.markdown__plain-text')?.textContent).toBe(big);
  });
});

describe('safeUrl', () => {
  it.each([
    ['javascript:alert(1)', ''],
    ['JaVaScRiPt:alert(1)', ''],
    ['java\tscript:alert(1)', ''],
    [' javascript:alert(1)', ''],
    ['data:text/html,hi', ''],
    ['vbscript:x', ''],
    ['file:///etc/passwd', ''],
    ['//evil.example', ''],
    ['relative/path', ''],
    ['https://example.com/?q=1', 'https://example.com/?q=1'],
    ['http://example.com', 'http://example.com'],
    ['mailto:a@b.c', 'mailto:a@b.c'],
  ])('%s -> %s', (input, expected) => {
    expect(safeUrl(input)).toBe(expected);
  });
});
