/**
 * Light and dark screenshots of a real chat (kept in e2e-artifacts/ for review; README uses
 * them), and the layout at the smallest supported window, 800×600.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright/test';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { createNamedChat } from './fixtures/chats';
import { addFakeProvider } from './fixtures/provider';
import { expect, test } from './fixtures/test';

const ARTIFACTS = join(import.meta.dirname, '..', 'e2e-artifacts');

const REPLY = [
  'Here is a merge plan that never overwrites:',
  '',
  '1. **Pull** rows changed since the last cursor.',
  '2. **Merge** per column with hybrid logical clocks.',
  '3. **Push** local changes in one transaction.',
  '',
  '```ts',
  'const winner = remote.hlc > local.hlc ? remote : local;',
  'await tx.query(sql`UPDATE messages SET content = ${winner.content} WHERE id = ${id}`);',
  '```',
  '',
  '| Step | Rows | Time |',
  '|------|-----:|-----:|',
  '| pull | 1,204 | 38 ms |',
  '| push | 97 | 12 ms |',
].join('\n');

let llm: FakeLlm;
test.beforeEach(async () => {
  llm = await startFakeLlm();
});
test.afterEach(async () => {
  await llm.close();
});

async function chatWithReply(page: Page): Promise<void> {
  await addFakeProvider(page, llm);
  for (const title of ['Trip to Lisbon', 'Recipe ideas', 'Sync design notes']) await createNamedChat(page, title);
  llm.enqueue({ kind: 'text', chunks: REPLY.match(/[\s\S]{1,60}/g) ?? [REPLY], delayMs: 2 });
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill('How should sync merge edits from two laptops?');
  await composer.press('Enter');
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveAttribute(
    'data-status',
    'complete',
  );
  await expect(page.locator('table')).toBeVisible();
}

test('light and dark screenshots of a chat', async ({ page, host }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(host.url);
  await chatWithReply(page);
  await page.mouse.move(0, 0);

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // The page must really change: the body's background follows the theme.
    // A string runs in the page: this file is compiled without the DOM library.
    const background = (await page.evaluate('getComputedStyle(document.body).backgroundColor')) as string;
    const [r = 0, g = 0, b = 0] = (background.match(/\d+/g) ?? []).map(Number);
    const luminance = (r + g + b) / 3;
    if (scheme === 'light') expect(luminance).toBeGreaterThan(180);
    else expect(luminance).toBeLessThan(80);
    await page.screenshot({ path: join(ARTIFACTS, `confab-${scheme}.png`) });
  }
});

test('the layout fits an 800×600 window', async ({ page, host }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto(host.url);
  await chatWithReply(page);
  // Nothing sticks out sideways, and the composer and sidebar are both on screen.
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  expect(overflow).toBeLessThanOrEqual(0);
  for (const locator of [
    page.getByLabel('Message', { exact: true }),
    page.getByRole('navigation', { name: 'Chats' }),
  ]) {
    const box = await locator.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x + box!.width).toBeLessThanOrEqual(800);
    expect(box!.y + box!.height).toBeLessThanOrEqual(600);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'confab-800x600.png') });
});
