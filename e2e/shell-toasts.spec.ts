/// <reference lib="dom" />
/**
 * Undo notices in Chromium: the Trash toast of a chat with a very long title stays on screen with
 * its text inside it, its Undo takes the click (nothing covers it), and it is neutral, not red
 * like an error (issue 11 #19, #31).
 */
import { createNamedChat, rowAction, sidebarTitles } from './fixtures/chats';
import { expect, test } from './fixtures/test';

const LONG_TITLE = `Notes ${'x'.repeat(150)} and some words after it`;

test('the Trash toast of a long title fits, is neutral, and its Undo can be clicked', async ({ page, host }) => {
  await page.goto(host.url);
  await createNamedChat(page, 'Short one');
  await createNamedChat(page, LONG_TITLE);
  await rowAction(page, LONG_TITLE, 'Move to Trash');
  await expect.poll(() => sidebarTitles(page)).toEqual(['Short one']);

  const toast = page.locator('.toast').filter({ hasText: 'to Trash.' });
  await expect(toast).toBeVisible();
  const viewport = page.viewportSize()!;
  const box = (await toast.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
  // The text wraps or is cut inside the toast; nothing spills out of it.
  const spills = await toast.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
  expect(spills).toBe(false);

  // Neutral: the raised background of the theme, not the error red.
  // (Page code as strings: the e2e project compiles without the DOM's types.)
  const toastColour = (await page.evaluate(
    `getComputedStyle(document.querySelector('.toast')).backgroundColor`,
  )) as string;
  const dangerColour = (await page.evaluate(`(() => {
    const probe = document.createElement('div');
    probe.style.background = 'var(--danger-bg)';
    document.body.append(probe);
    const colour = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return colour;
  })()`)) as string;
  expect(toastColour).not.toBe(dangerColour);

  // Nothing covers Undo: the element at its centre is the button itself, and the click lands.
  const undo = toast.getByRole('button', { name: 'Undo' });
  const at = (await undo.boundingBox())!;
  const hit = await page.evaluate(
    `document.elementFromPoint(${at.x + at.width / 2}, ${at.y + at.height / 2})?.closest('button')?.textContent ?? null`,
  );
  expect(hit).toBe('Undo');
  await undo.click();
  await expect.poll(() => sidebarTitles(page)).toEqual([LONG_TITLE, 'Short one']);
});
