/**
 * What the chat view keeps for the user, end to end through the web host: the system prompt as
 * typed, drafts across reloads and a host crash, and a chat in the Trash that stays readable.
 */
import type { Locator, Page } from 'playwright/test';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { createNamedChat, rowAction, sidebar } from './fixtures/chats';
import { addFakeProvider } from './fixtures/provider';
import { expect, test } from './fixtures/test';

let llm: FakeLlm;

test.beforeEach(async () => {
  llm = await startFakeLlm();
});

test.afterEach(async () => {
  await llm.close();
});

const assistantMessages = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]');
const contentOf = (message: Locator) => message.getByTestId('message-content');
const composer = (page: Page) => page.getByLabel('Message', { exact: true });

async function newChat(page: Page): Promise<void> {
  await page.getByLabel('New chat').first().click();
  await expect(page.getByRole('tab')).toHaveCount(1);
}

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await expect(composer(page)).toHaveValue('');
}

/** What the page's own API has kept under a ui_state key (strings: compiled without the DOM library). */
function uiValue(page: Page, key: string): Promise<unknown> {
  return page.evaluate(`window.confab.ui.get({ key: ${JSON.stringify(key)} })`);
}

async function onlyChatId(page: Page): Promise<string> {
  return page.evaluate(`window.confab.sessions.list({ view: 'active' }).then((p) => p.items[0].id)`);
}

test('a system prompt typed but not saved is sent with the message', async ({ page, host }) => {
  await page.goto(host.url);
  await addFakeProvider(page, llm);
  await newChat(page);

  await page.getByRole('button', { name: 'Add system prompt' }).click();
  await page.getByLabel('System prompt', { exact: true }).fill('Answer in French.');
  llm.enqueue({ kind: 'text', chunks: ['Bonjour.'] });
  await send(page, 'Hello');
  await expect(contentOf(assistantMessages(page).last())).toHaveText('Bonjour.');
  expect(llm.lastRequest()?.body?.messages).toEqual([
    { role: 'system', content: 'Answer in French.' },
    { role: 'user', content: 'Hello' },
  ]);
  await expect(page.getByRole('button', { name: 'System prompt (set)' })).toBeVisible();

  // Changed and left (blur): saved, and the next request carries the new one.
  await page.getByLabel('System prompt', { exact: true }).fill('Answer in German.');
  await composer(page).click();
  await expect(page.getByRole('button', { name: 'Save system prompt' })).toBeDisabled();
  await page.reload();
  await page
    .getByTestId('session-item')
    .first()
    .click({ position: { x: 12, y: 12 } });
  llm.enqueue({ kind: 'text', chunks: ['Hallo.'] });
  await send(page, 'Again');
  await expect(contentOf(assistantMessages(page).last())).toHaveText('Hallo.');
  expect(llm.lastRequest()?.body?.messages?.[0]).toEqual({ role: 'system', content: 'Answer in German.' });
});

test('a draft survives a tab switch, a reload and a host crash', async ({ page, host }) => {
  await page.goto(host.url);
  await newChat(page);
  const id = await onlyChatId(page);
  await composer(page).fill('A thought I have not finished');
  await expect.poll(() => uiValue(page, `draft:${id}`)).toBe('A thought I have not finished');

  // Another tab in front, then back.
  await page.getByRole('button', { name: 'Usage', exact: true }).click();
  await expect(page.getByRole('tab', { name: 'Usage' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab').first().click();
  await expect(composer(page)).toHaveValue('A thought I have not finished');

  // The host dies and comes back (a new link): the draft is still there.
  await host.restart();
  await page.goto(host.url);
  await expect(composer(page)).toHaveValue('A thought I have not finished');
});

test('a chat in the Trash shows a banner with Restore, a read-only composer and its versions', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  await addFakeProvider(page, llm);
  await createNamedChat(page, 'Binned');
  llm.enqueue({ kind: 'text', chunks: ['First answer'] });
  await send(page, 'One question');
  const reply = () => assistantMessages(page).last();
  await expect(contentOf(reply())).toHaveText('First answer');
  llm.enqueue({ kind: 'text', chunks: ['Second answer'] });
  await reply().getByRole('button', { name: 'Regenerate' }).click();
  await expect(reply()).toContainText('2/2');
  await expect(reply()).toHaveAttribute('data-status', 'complete');

  await rowAction(page, 'Binned', 'Move to Trash');
  await expect(page.getByRole('tab')).toHaveCount(0);
  await sidebar(page).getByRole('button', { name: 'Show chats in the Trash' }).click();
  await sidebar(page)
    .getByTestId('session-item')
    .first()
    .click({ position: { x: 12, y: 12 } });

  const banner = page.getByTestId('chat-status-banner');
  await expect(banner).toContainText('This chat is in the Trash.');
  await expect(page.getByRole('note').filter({ hasText: 'Restore it to write in it' })).toBeVisible();
  await expect(reply()).toContainText('2/2');
  await expect(composer(page)).not.toBeEditable();
  await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
  await composer(page).press('Enter');
  await expect(page.getByRole('alert')).toHaveCount(0);

  await banner.getByRole('button', { name: 'Restore' }).click();
  await expect(banner).toBeHidden();
  await expect(reply()).toContainText('2/2');
  await reply().getByRole('button', { name: 'Previous branch' }).click();
  await expect(contentOf(reply())).toHaveText('First answer');
  llm.enqueue({ kind: 'text', chunks: ['Back in business'] });
  await send(page, 'Written after the restore');
  await expect(contentOf(reply())).toHaveText('Back in business');
});
