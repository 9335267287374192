/**
 * Accessibility with axe-core (WCAG 2.1 A and AA rules, contrast included) on the screens a user
 * sees all day, in both themes: start view, a chat with a reply, the sidebar's menu, Settings.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright/test';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { createNamedChat } from './fixtures/chats';
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
      `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
}

for (const scheme of ['light', 'dark'] as const) {
  test(`no WCAG A/AA violations, ${scheme} theme`, async ({ page, host }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(host.url);
    const found: string[] = [];
    found.push(...(await violations(page, 'start view')));

    await addFakeProvider(page, llm);
    await createNamedChat(page, 'Contrast check');
    llm.enqueue({ kind: 'text', chunks: ['A reply with `code`, a [link](https://example.com) and **bold** text.'] });
    const composer = page.getByLabel('Message', { exact: true });
    await composer.fill('Hello');
    await composer.press('Enter');
    await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveAttribute(
      'data-status',
      'complete',
    );
    found.push(...(await violations(page, 'chat')));

    const row = page
      .getByRole('navigation', { name: 'Chats' })
      .getByRole('listitem')
      .filter({ hasText: 'Contrast check' });
    await row.hover();
    await row.getByRole('button', { name: /More actions/ }).click();
    await expect(page.getByRole('menu')).toBeVisible();
    found.push(...(await violations(page, 'row menu')));
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    found.push(...(await violations(page, 'settings')));

    expect(found).toEqual([]);
  });
}
