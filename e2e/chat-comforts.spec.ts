/**
 * The chat view's comforts in both themes at 800×600, checked with axe-core (WCAG 2.1 A/AA,
 * contrast included): which model wrote a reply, folded reasoning, KaTeX math, a folded long
 * message, a failed turn's note, and an archived chat's banner and read-only composer.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright/test';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { createNamedChat, rowAction } from './fixtures/chats';
import { addFakeProvider } from './fixtures/provider';
import { expect, test } from './fixtures/test';

let llm: FakeLlm;
test.beforeEach(async () => {
  llm = await startFakeLlm();
});
test.afterEach(async () => {
  await llm.close();
});

async function violations(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map(
    (v) =>
      `${where}: ${v.id} ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
}

const assistantMessages = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]');

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the chat's comforts read well, ${scheme} theme, 800×600`, async ({ page, host }) => {
    await page.setViewportSize({ width: 800, height: 600 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(host.url);
    await addFakeProvider(page, llm);
    await createNamedChat(page, 'Comforts');

    llm.enqueue({ kind: 'status', status: 500 });
    await send(page, 'This one fails');
    await expect(assistantMessages(page).last()).toHaveAttribute('data-status', 'error');
    await expect(page.getByText('Not sent to the model').first()).toBeVisible();

    llm.enqueue({
      kind: 'text',
      reasoning: ['Mass times the speed of light squared.'],
      chunks: ['Einstein: $E = mc^2$, and a block:\n\n$$\n\\int_0^1 x^2\\,dx = \\frac{1}{3}\n$$'],
    });
    await send(page, 'Math please');
    const reply = assistantMessages(page).last();
    await expect(reply).toHaveAttribute('data-status', 'complete');
    await expect(reply.locator('.katex').first()).toBeVisible();
    await expect(reply.locator('.katex-display')).toBeVisible();
    await expect(reply.getByTestId('reply-model')).toHaveText('fake-small · Fake LLM');
    await reply.getByTestId('reasoning').locator('summary').click();
    await expect(reply.getByText('Mass times the speed of light squared.')).toBeVisible();
    // The formula takes the theme's text colour.
    const colours = await reply.evaluate((el: unknown) => {
      const root = el as { querySelector(s: string): unknown };
      const style = (node: unknown) =>
        (globalThis as unknown as { getComputedStyle(n: unknown): { color: string } }).getComputedStyle(node);
      return [
        style(root.querySelector('.katex')).color,
        style(root.querySelector('[data-testid="message-content"]')).color,
      ];
    });
    expect(colours[0]).toBe(colours[1]);

    llm.enqueue({ kind: 'text', chunks: ['Noted.'] });
    await send(page, Array.from({ length: 60 }, (_, i) => `pasted line ${i + 1}`).join('\n'));
    await expect(page.getByRole('button', { name: 'Show more' })).toBeVisible();
    await expect(page.getByText('pasted line 60')).toHaveCount(0);

    const found = await violations(page, 'chat');
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect(page.getByText('pasted line 60')).toBeAttached();

    await rowAction(page, 'Comforts', 'Archive');
    await expect(page.getByTestId('chat-status-banner')).toContainText('This chat is archived.');
    await expect(page.getByRole('note').filter({ hasText: 'Unarchive it to write in it' })).toBeVisible();
    found.push(...(await violations(page, 'archived chat')));
    expect(found).toEqual([]);

    await page.getByTestId('chat-status-banner').getByRole('button', { name: 'Unarchive' }).click();
    await expect(page.getByTestId('chat-status-banner')).toBeHidden();
    await expect(page.getByLabel('Message', { exact: true })).toBeEditable();
  });
}
