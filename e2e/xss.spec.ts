/**
 * XSS: a model (the fake LLM server, over the real chat path) replies with hostile payloads, and
 * the user sends one too. Message content is rendered as Markdown with raw HTML off, so each
 * payload must show up as text: no script runs, no dialog opens, no dangerous element or
 * javascript:/data: link reaches the DOM.
 */
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { addFakeProvider } from './fixtures/provider';
import { expect, test } from './fixtures/test';

let llm: FakeLlm;

test.beforeEach(async () => {
  llm = await startFakeLlm();
});

test.afterEach(async () => {
  await llm.close();
});

/** Each payload tries to bump `window.__xss` (and to open a dialog); both must stay untouched. */
const PAYLOADS = [
  '<script>window.__xss = (window.__xss || 0) + 1; alert("script")</script>',
  'Inline <img src=x onerror="window.__xss = (window.__xss || 0) + 1; alert(\'img\')"> image',
  '<svg onload="window.__xss = (window.__xss || 0) + 1; alert(\'svg\')"><circle r="5"/></svg>',
  '<iframe srcdoc="<script>parent.__xss = (parent.__xss || 0) + 1; parent.alert(\'iframe\')</script>"></iframe>',
  '<object data="javascript:window.__xss=1"></object><embed src="javascript:window.__xss=1">',
  '&lt;script&gt;window.__xss = 1&lt;/script&gt; and &#60;img src=x onerror=window.__xss=1&#62;',
  '[js link](javascript:window.__xss=(window.__xss||0)+1;alert(1))',
  '[data link](data:text/html,<script>alert(1)</script>)',
  '[data b64](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[vb link](vbscript:msgbox(1)) <javascript:alert(1)>',
  '![img alt](javascript:alert(1)) ![remote](https://example.invalid/x.png)',
  '```html\n<script>window.__xss = 1</script>\n```',
  '[safe link](https://example.com/ok)',
];

test('hostile message content is shown as text and never runs', async ({ page, host }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript(() => {
    (globalThis as unknown as { __xss: number }).__xss = 0;
  });
  await page.goto(host.url);
  await addFakeProvider(page, llm, 'sk-e2e-xss-0123456789');
  await page.getByLabel('New chat').first().click();
  await expect(page.getByRole('tab')).toHaveCount(1);

  // Split the reply across chunks so the payloads also pass through the streaming renderer.
  const reply = PAYLOADS.join('\n\n');
  const chunks = reply.match(/[\s\S]{1,40}/g) ?? [reply];
  llm.enqueue({ kind: 'text', chunks, delayMs: 5 });
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill('Hi <img src=x onerror="window.__xss = (window.__xss || 0) + 1"> [u](javascript:alert(2))');
  await composer.press('Enter');

  const messages = page.getByTestId('message');
  const assistant = page.locator('[data-testid="message"][data-role="assistant"]').last();
  await expect(assistant).toHaveAttribute('data-status', 'complete');
  const content = assistant.getByTestId('message-content');

  // The payloads are on screen as text.
  await expect(content).toContainText('<script>window.__xss = (window.__xss || 0) + 1; alert("script")</script>');
  await expect(content).toContainText('<img src=x onerror=');
  await expect(content).toContainText('<svg onload=');
  await expect(content).toContainText('<iframe srcdoc=');
  await expect(content).toContainText('<script>window.__xss = 1</script> and <img src=x onerror=window.__xss=1>');
  await expect(content.locator('pre code')).toContainText('<script>window.__xss = 1</script>');
  await expect(messages.filter({ hasText: 'Hi <img src=x onerror=' })).toHaveCount(1);

  // Clicking the would-be links does nothing either.
  await content.getByText('js link').click();
  await content.getByText('data link').click();

  // Let the page's event loop turn (two frames, then a task): an error handler, a frame's load or a
  // link's navigation started by the clicks above would have run by then. Then check none did.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0)));
      }),
  );
  expect(await page.evaluate(() => (globalThis as unknown as { __xss: number }).__xss)).toBe(0);
  expect(dialogs).toEqual([]);
  expect(page.frames()).toHaveLength(1);

  // Inside what the messages say; the app's own buttons around them use SVG icons.
  const inMessages = (selectors: string) =>
    page.locator(
      selectors
        .split(',')
        .map((selector) => `[data-testid="message-content"] ${selector.trim()}`)
        .join(', '),
    );
  await expect(inMessages('script, iframe, frame, object, embed, svg, img, style, link, meta, form')).toHaveCount(0);
  await expect(inMessages('[onerror], [onload], [onclick], [srcdoc]')).toHaveCount(0);

  const hrefs = await inMessages('a').evaluateAll((els) =>
    els.map((el) => (el as unknown as { getAttribute(name: string): string | null }).getAttribute('href') ?? ''),
  );
  expect(hrefs.filter((href) => /^\s*(javascript|data|vbscript|file):/i.test(href))).toEqual([]);
  expect(hrefs).toEqual(expect.arrayContaining(['https://example.com/ok', 'https://example.invalid/x.png']));
  for (const rel of await inMessages('a').evaluateAll((els) =>
    els.map((el) => (el as unknown as { getAttribute(name: string): string | null }).getAttribute('rel')),
  )) {
    expect(rel).toBe('noopener noreferrer');
  }
});
