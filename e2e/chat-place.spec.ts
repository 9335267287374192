/**
 * Each chat tab keeps its place, in Chromium through the web host: a long chat (written into the
 * data dir with the app's bulk insert) scrolled to the middle comes back to the same message at
 * the same offset after a tab switch, a close of the tab in front and a reload; one left at the
 * bottom comes back at its newest message.
 */
import type { Page } from 'playwright/test';
import { seedChats, withAppDb, type SeedMessage } from './fixtures/seed';
import { expect, test } from './fixtures/test';

const COUNT = 120;
const FILLER = [
  'Short one.',
  'A medium message with a couple of sentences in it. It says a bit more than the short one.',
  'A longer message.\n\nIt has two paragraphs, so the rows have different heights.\n\n- and\n- a list',
];

const messageList = (page: Page) => page.getByRole('log', { name: 'Messages' });
const rowWith = (page: Page, text: string) => page.getByTestId('message-row').filter({ hasText: text });

/** The message row at the top edge of the list, and how far (px) the view starts into it. */
async function placeInView(page: Page): Promise<{ id: string; offset: number }> {
  // A string: this file is compiled without the DOM library.
  return page.evaluate(`(() => {
    const list = document.querySelector('[role="log"][aria-label="Messages"]');
    const top = list.getBoundingClientRect().top;
    const rows = [...list.querySelectorAll('[data-testid="message-row"]')];
    const row = rows.find((r) => { const b = r.getBoundingClientRect(); return b.top <= top + 0.5 && b.bottom > top; });
    return { id: row.dataset.messageId, offset: Math.round(top - row.getBoundingClientRect().top) };
  })()`);
}

async function expectPlace(page: Page, place: { id: string; offset: number }): Promise<void> {
  await expect
    .poll(async () => {
      const now = await placeInView(page).catch(() => null);
      return now !== null && now.id === place.id && Math.abs(now.offset - place.offset) <= 2;
    })
    .toBe(true);
}

async function openFromSidebar(page: Page, title: string): Promise<void> {
  await page
    .getByTestId('session-item')
    .filter({ hasText: title })
    .click({ position: { x: 12, y: 12 } });
}

test('a tab keeps its place across switches, a closed tab in front and a reload', async ({ page, host }) => {
  const messages: SeedMessage[] = Array.from({ length: COUNT }, (_, i) => ({
    role: i % 2 ? 'assistant' : 'user',
    content: `Message ${i}. ${FILLER[i % 3]}`,
  }));
  await host.stop();
  await withAppDb(host.dataDir, (db) =>
    seedChats(db, [
      {
        title: 'Other chat',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
        ],
      },
      { title: 'Long chat', messages },
    ]),
  );
  await host.restart();
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.goto(host.url);
  await openFromSidebar(page, 'Long chat');
  // A chat opens at its newest message.
  await expect(rowWith(page, `Message ${COUNT - 1}.`)).toBeInViewport();
  await expect(page.getByRole('button', { name: 'Jump to newest ↓' })).toBeHidden();

  // Scroll up into the middle of the loaded page.
  await messageList(page).evaluate((el: unknown) => {
    (el as { scrollTop: number }).scrollTop -= 1700;
  });
  await expect(page.getByRole('button', { name: 'Jump to newest ↓' })).toBeVisible();
  const place = await placeInView(page);
  expect(place.offset).toBeGreaterThanOrEqual(0);

  // Another tab (Usage) in front, then back.
  await page.getByRole('button', { name: 'Usage', exact: true }).click();
  await expect(page.getByRole('tab', { name: 'Usage' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: 'Long chat' }).click();
  await expectPlace(page, place);

  // A chat opened in front and closed again.
  await openFromSidebar(page, 'Other chat');
  await expect(page.getByRole('tab', { name: 'Other chat' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+w');
  await expect(page.getByRole('tab', { name: 'Other chat' })).toHaveCount(0);
  await page.getByRole('tab', { name: 'Long chat' }).click();
  await expectPlace(page, place);

  // A reload (the place is kept on this device).
  const id: string = await page.evaluate(
    `window.confab.sessions.list({ view: 'active' }).then((p) => p.items.find((s) => s.title === 'Long chat').id)`,
  );
  await expect
    .poll(() => page.evaluate(`window.confab.ui.get({ key: 'scroll:${id}' })`))
    .toMatchObject({
      atBottom: false,
      messageId: place.id,
    });
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Long chat' })).toHaveAttribute('aria-selected', 'true');
  await expectPlace(page, place);

  // At the bottom it comes back at the newest message.
  await page.getByRole('button', { name: 'Jump to newest ↓' }).click();
  await expect(rowWith(page, `Message ${COUNT - 1}.`)).toBeInViewport();
  await expect(page.getByRole('button', { name: 'Jump to newest ↓' })).toBeHidden();
  await page.getByRole('button', { name: 'Usage', exact: true }).click();
  await page.getByRole('tab', { name: 'Long chat' }).click();
  await expect(rowWith(page, `Message ${COUNT - 1}.`)).toBeInViewport();
  await expect(page.getByRole('button', { name: 'Jump to newest ↓' })).toBeHidden();
});
