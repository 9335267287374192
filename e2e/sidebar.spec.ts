/** The sidebar's actions in Chromium through the web host: pin, archive, trash with undo, restore, empty trash. */
import { createNamedChat, rowAction, sidebar, sidebarTitles } from './fixtures/chats';
import { expect, test } from './fixtures/test';

test('pin, archive, trash with undo, restore and empty the trash', async ({ page, host }) => {
  await page.goto(host.url);
  for (const title of ['Alpha', 'Beta', 'Gamma']) await createNamedChat(page, title);
  await expect.poll(() => sidebarTitles(page)).toEqual(['Gamma', 'Beta', 'Alpha']);

  await rowAction(page, 'Alpha', 'Pin');
  await expect.poll(() => sidebarTitles(page)).toEqual(['Alpha', 'Gamma', 'Beta']);
  await expect(sidebar(page).getByRole('heading', { name: 'Pinned' })).toBeVisible();

  // Archive from the right-click menu.
  await sidebar(page).getByRole('listitem').filter({ hasText: 'Beta' }).click({ button: 'right' });
  await page.getByRole('menu', { name: 'Actions for Beta' }).getByRole('menuitem', { name: 'Archive' }).click();
  await expect.poll(() => sidebarTitles(page)).toEqual(['Alpha', 'Gamma']);
  await sidebar(page).getByRole('button', { name: 'Show archived chats' }).click();
  await expect.poll(() => sidebarTitles(page)).toEqual(['Beta']);
  await rowAction(page, 'Beta', 'Unarchive');
  await sidebar(page).getByRole('button', { name: 'Show active chats' }).click();
  await expect.poll(() => sidebarTitles(page)).toEqual(['Alpha', 'Gamma', 'Beta']);

  // Trash closes the tab; Undo brings the chat back.
  await rowAction(page, 'Gamma', 'Move to Trash');
  await expect.poll(() => sidebarTitles(page)).toEqual(['Alpha', 'Beta']);
  await expect(page.getByRole('tab', { name: 'Gamma' })).toHaveCount(0);
  await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => sidebarTitles(page)).toEqual(['Alpha', 'Gamma', 'Beta']);

  // Trash again, then restore it from the Trash view.
  await rowAction(page, 'Gamma', 'Move to Trash');
  await sidebar(page).getByRole('button', { name: 'Show chats in the Trash' }).click();
  await expect.poll(() => sidebarTitles(page)).toEqual(['Gamma']);
  await rowAction(page, 'Gamma', 'Restore');
  await expect(sidebar(page).getByText('Trash is empty.')).toBeVisible();

  // Trash two and empty the Trash: gone for good, also after a reload.
  await sidebar(page).getByRole('button', { name: 'Show active chats' }).click();
  await rowAction(page, 'Gamma', 'Move to Trash');
  await rowAction(page, 'Beta', 'Move to Trash');
  await sidebar(page).getByRole('button', { name: 'Show chats in the Trash' }).click();
  await expect.poll(() => sidebarTitles(page)).toHaveLength(2);
  await sidebar(page).getByRole('button', { name: 'Empty trash' }).click();
  await page.getByRole('alertdialog', { name: 'Empty trash?' }).getByRole('button', { name: 'Empty trash' }).click();
  await expect(sidebar(page).getByText('Trash is empty.')).toBeVisible();
  await page.reload();
  await expect.poll(() => sidebarTitles(page)).toEqual(['Alpha']);
});
