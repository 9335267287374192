/** Tabs in Chromium through the web host: every shortcut, middle-click, drag, and restore after a restart. */
import type { Page } from 'playwright/test';
import { createNamedChat, tabTitles } from './fixtures/chats';
import { expect, test } from './fixtures/test';

const selectedTab = (page: Page) => page.getByRole('tab', { selected: true });

test('tab shortcuts, middle-click, drag to reorder, and the tabs come back after a restart', async ({ page, host }) => {
  await page.goto(host.url);
  for (const title of ['Alpha', 'Beta', 'Gamma', 'Delta']) await createNamedChat(page, title);
  expect(await tabTitles(page)).toEqual(['Alpha', 'Beta', 'Gamma', 'Delta']);

  await page.keyboard.press('Control+1');
  await expect(selectedTab(page)).toHaveText('Alpha');
  await page.keyboard.press('Control+9');
  await expect(selectedTab(page)).toHaveText('Delta');
  await page.keyboard.press('Control+Tab');
  await expect(selectedTab(page)).toHaveText('Alpha');
  await page.keyboard.press('Control+Shift+Tab');
  await expect(selectedTab(page)).toHaveText('Delta');
  await page.keyboard.press('Control+3');
  await expect(selectedTab(page)).toHaveText('Gamma');

  // Close and reopen: Ctrl+W, then Ctrl+Shift+T brings the same chat back where it was.
  await page.keyboard.press('Control+w');
  expect(await tabTitles(page)).toEqual(['Alpha', 'Beta', 'Delta']);
  await expect(selectedTab(page)).toHaveText('Delta');
  await page.keyboard.press('Control+Shift+T');
  await expect(page.getByRole('tab')).toHaveCount(4);
  await expect(selectedTab(page)).toHaveText('Gamma');
  expect(await tabTitles(page)).toEqual(['Alpha', 'Beta', 'Gamma', 'Delta']);

  // Middle-click closes without selecting.
  await page.getByRole('tab', { name: 'Beta' }).click({ button: 'middle' });
  await expect(page.getByRole('tab')).toHaveCount(3);
  expect(await tabTitles(page)).toEqual(['Alpha', 'Gamma', 'Delta']);

  // Drag Gamma onto the left half of Alpha: it lands first.
  const alpha = page.getByRole('tab', { name: 'Alpha' });
  await page.getByRole('tab', { name: 'Gamma' }).dragTo(alpha, { targetPosition: { x: 8, y: 8 } });
  await expect.poll(() => tabTitles(page)).toEqual(['Gamma', 'Alpha', 'Delta']);
  // And from the keyboard: Ctrl+Shift+PageDown moves the selected tab right.
  await page.keyboard.press('Control+2');
  await page.keyboard.press('Control+Shift+PageDown');
  await expect.poll(() => tabTitles(page)).toEqual(['Gamma', 'Delta', 'Alpha']);
  await expect(selectedTab(page)).toHaveText('Alpha');

  await host.restart();
  await page.goto(host.url);
  await expect.poll(() => tabTitles(page)).toEqual(['Gamma', 'Delta', 'Alpha']);
  await expect(selectedTab(page)).toHaveText('Alpha');

  // Closing every tab shows the start view with the recent chats, newest first.
  for (let i = 0; i < 3; i++) await page.keyboard.press('Control+w');
  await expect(page.getByRole('tab')).toHaveCount(0);
  const recent = page.getByRole('heading', { name: 'Recent chats' });
  await expect(recent).toBeVisible();
  await page.getByRole('main').getByRole('link', { name: 'Delta' }).click();
  await expect(selectedTab(page)).toHaveText('Delta');
});
