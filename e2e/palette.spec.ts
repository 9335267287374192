/**
 * Cmd/Ctrl+K search, the jump to a deep message on another branch, Cmd/Ctrl+F in a long chat and
 * the virtualized message list, in Chromium through the web host. The long chat is written into
 * the data dir with the app's bulk insert while the host is stopped.
 */
import type { Locator, Page } from 'playwright/test';
import { seedChats, withAppDb, type SeedChat, type SeedMessage } from './fixtures/seed';
import { expect, test } from './fixtures/test';

const MAIN = 2400;
const FORK_AT = 301; // an assistant reply, answered again on another branch
const MAX_ROWS = 300;

const FILLER = [
  'Short one.',
  'A medium message with a couple of sentences in it. It says a bit more than the short one.',
  'A longer message.\n\nIt has two paragraphs, so the rows have different heights and the list has to measure them as they come into view.',
];

function deepChat(): SeedChat {
  const messages: SeedMessage[] = [];
  for (let i = 0; i < MAIN; i++) {
    const word = i === 50 || i === 1200 || i === 2398 ? ' heliotrope' : '';
    messages.push({ role: i % 2 ? 'assistant' : 'user', content: `Message ${i}${word}. ${FILLER[i % 3]}` });
  }
  // A regenerated answer to message 300 with its own continuation: created last, so it is the
  // second version, but the chat's current branch stays the long one.
  messages.push({ role: 'assistant', content: 'Another answer: the quetzalcoatlus was a giant pterosaur.', parent: FORK_AT - 1 });
  messages.push({ role: 'user', content: 'Follow-up on the other branch.' });
  messages.push({ role: 'assistant', content: 'The end of the other branch.' });
  return { title: 'Deep history', messages, leaf: MAIN - 1 };
}

const otherChats: SeedChat[] = [
  {
    title: 'Archived notes',
    status: 'archived',
    messages: [
      { role: 'user', content: 'An ocelot sighting, filed away.' },
      { role: 'assistant', content: 'Noted: the ocelot, in the archive.' },
    ],
  },
  {
    title: 'Zoo log',
    messages: [
      { role: 'user', content: 'The ocelot was out today.' },
      { role: 'assistant', content: 'The ocelot slept all afternoon.' },
    ],
  },
];

/** Writes the chats into the test's data dir while its host is stopped. */
async function seed(host: { dataDir: string; stop(): Promise<void>; restart(): Promise<void> }, chats: SeedChat[]) {
  await host.stop();
  await withAppDb(host.dataDir, (db) => seedChats(db, chats));
  await host.restart();
}

const rows = (page: Page) => page.getByTestId('message-row');
const rowWith = (page: Page, text: string) => rows(page).filter({ hasText: text });
const messageList = (page: Page) => page.getByRole('log', { name: 'Messages' });
const paletteInput = (page: Page) => page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox');
const hits = (page: Page) => page.getByTestId('palette-hit');

/** The smallest "Message N" in the DOM: how far up the loaded part reaches. */
async function lowestShown(page: Page): Promise<number> {
  const texts = await rows(page).allTextContents();
  const numbers = texts.map((t) => /Message (\d+)/.exec(t)?.[1]).filter(Boolean).map(Number);
  return Math.min(...numbers);
}

async function expectFewRows(page: Page): Promise<void> {
  const count = await rows(page).count();
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThanOrEqual(MAX_ROWS);
}

/**
 * Clicks a chat in the sidebar near its title's start: the row's hover buttons cover the middle
 * of the row (the sidebar's layout, which is being reworked separately).
 */
async function openFromSidebar(page: Page, title: string): Promise<void> {
  await page.getByTestId('session-item').filter({ hasText: title }).click({ position: { x: 12, y: 12 } });
}

/**
 * Opens the long chat from the sidebar. Returns the time, measured in the page, from the click
 * to the first frame after its first message row was in the DOM.
 */
async function openDeepChat(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await expect(page.getByTestId('session-item').filter({ hasText: 'Deep history' })).toBeVisible();
  // A string: this file is compiled without the DOM library.
  const firstPaint = page.evaluate(`new Promise((resolve) => {
    const start = performance.now();
    const seen = () => document.querySelector('[data-testid="message-row"]');
    const observer = new MutationObserver(() => {
      if (!seen()) return;
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - start));
    });
    observer.observe(document.body, { childList: true, subtree: true });
  })`);
  await openFromSidebar(page, 'Deep history');
  await expect(rowWith(page, `Message ${MAIN - 1}.`)).toBeInViewport();
  return Number(await firstPaint);
}

async function expectMarked(row: Locator): Promise<void> {
  await expect(row).toBeInViewport();
  await expect(row).toHaveAttribute('data-highlighted', 'true');
  await expect(row).toHaveAttribute('aria-current', 'true');
}

test('Cmd+K finds a deep message on another branch and jumps to it; the list stays virtualized', async ({ page, host }) => {
  test.setTimeout(120_000);
  await seed(host, [...otherChats, deepChat()]);
  const openMs = await openDeepChat(page, host.url);
  // The click is measured in the page, so it includes the request but not Playwright's polling.
  // Printed, not asserted: a time depends on the machine's load (CI shares it), and the figure
  // that counts is `npm run bench`'s "open the big session".
  console.log(`Opening the ${MAIN}-message chat, click to first frame with messages: ${openMs.toFixed(0)} ms`);
  await expectFewRows(page);

  // Scrolling up loads older pages above, keeping the DOM small.
  await expect
    .poll(
      async () => {
        await messageList(page).evaluate((el) => el.scrollTo({ top: 0 }));
        return lowestShown(page);
      },
      { timeout: 30_000, intervals: [100, 200, 300] },
    )
    .toBeLessThan(MAIN - 400);
  await expectFewRows(page);

  await page.keyboard.press('Control+k');
  await expect(paletteInput(page)).toBeFocused();
  await page.keyboard.type('quetzalco');
  const hit = hits(page).filter({ hasText: 'quetzalcoatlus' });
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('mark')).toHaveText(/quetzalco/i);
  await expect(hit.getByTestId('palette-hit-title')).toHaveText('Deep history');
  await expect(hit.locator('time')).toHaveText(/\S/);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeHidden();

  const target = rowWith(page, 'quetzalcoatlus');
  await expectMarked(target);
  // The chat switched to that branch: its switcher shows the second version, with the messages
  // of that branch around it.
  await expect(target.getByRole('group', { name: 'Version 2 of 2' })).toBeVisible();
  await expect(rowWith(page, `Message ${FORK_AT - 1}.`)).toHaveCount(1);
  await expect(rowWith(page, `Message ${FORK_AT}.`)).toHaveCount(0);
  await expectFewRows(page);

  // The branch switch is saved: after a reload the chat opens on the other branch.
  await page.reload();
  await expect(rowWith(page, 'The end of the other branch.')).toBeInViewport();
});

test('Cmd+F walks the hits of the open chat, deep ones included, and paging down stays small', async ({ page, host }) => {
  test.setTimeout(120_000);
  await seed(host, [deepChat()]);
  await openDeepChat(page, host.url);
  await page.keyboard.press('Control+f');
  const find = page.getByRole('searchbox', { name: 'Find in chat' });
  await expect(find).toBeFocused();
  await find.fill('heliotrope');
  const status = page.getByTestId('find-status');
  await expect(status).toHaveText('3 of 3');
  await expectMarked(rowWith(page, 'Message 2398 heliotrope'));

  await find.press('Shift+Enter');
  await expect(status).toHaveText('2 of 3');
  await expectMarked(rowWith(page, 'Message 1200 heliotrope'));
  await find.press('Shift+Enter');
  await expect(status).toHaveText('1 of 3');
  await expectMarked(rowWith(page, 'Message 50 heliotrope'));
  await page.getByRole('button', { name: 'Next match' }).click();
  await expect(status).toHaveText('2 of 3');
  const deep = rowWith(page, 'Message 1200 heliotrope');
  await expectMarked(deep);
  await expect(rowWith(page, 'Message 50 heliotrope')).toHaveCount(0);

  // Scrolling down from there loads the newer pages below it, a page at a time.
  await expect
    .poll(
      async () => {
        await messageList(page).evaluate((el) => el.scrollBy({ top: 4000 }));
        const texts = await rows(page).allTextContents();
        return Math.max(...texts.map((t) => Number(/Message (\d+)/.exec(t)?.[1] ?? 0)));
      },
      { timeout: 30_000, intervals: [100, 200, 300] },
    )
    .toBeGreaterThan(1400);
  await expectFewRows(page);
  await expect(page.getByRole('button', { name: /Jump to newest/ })).toBeVisible();
  await page.getByRole('button', { name: /Jump to newest/ }).click();
  await expect(rowWith(page, `Message ${MAIN - 1}.`)).toBeInViewport();

  await find.press('Escape');
  await expect(find).toBeHidden();
  await expect(page.getByLabel('Message', { exact: true })).toBeFocused();
});

test('palette filters: in:archived and role:', async ({ page, host }) => {
  await seed(host, otherChats);
  await page.goto(host.url);
  await page.keyboard.press('Control+k');
  const input = paletteInput(page);
  await input.fill('ocelot');
  await expect(hits(page)).toHaveCount(4);

  await input.fill('in:archived ocelot');
  await expect(hits(page)).toHaveCount(2);
  for (const hit of await hits(page).all()) {
    await expect(hit).toContainText('Archived notes');
    await expect(hit.locator('.palette__badge')).toHaveText('Archived');
  }

  await input.fill('role:assistant ocelot');
  await expect(hits(page)).toHaveCount(2);
  for (const hit of await hits(page).all()) await expect(hit).toContainText('Assistant');

  await input.fill('in:archived role:user ocelot');
  await expect(hits(page)).toHaveCount(1);
  await expect(hits(page)).toContainText('ocelot sighting');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab', { name: 'Archived notes' })).toBeVisible();
  await expectMarked(rowWith(page, 'An ocelot sighting'));
});
