/**
 * Chatting end to end: Chromium drives the real UI through the web host, whose chat engine talks
 * to the fake LLM server over real HTTP and the OpenAI streaming protocol. Each reply is scripted
 * on the server just before the action that asks for it.
 */
import type { Locator, Page } from 'playwright/test';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { expect, test } from './fixtures/test';

const API_KEY = 'sk-e2e-0123456789-do-not-show';
const PROVIDER = 'Fake LLM';

let llm: FakeLlm;

test.beforeEach(async () => {
  llm = await startFakeLlm();
});

test.afterEach(async () => {
  await llm.close();
});

const assistantMessages = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]');
const userMessages = (page: Page) => page.locator('[data-testid="message"][data-role="user"]');
const contentOf = (message: Locator) => message.getByTestId('message-content');

/** Adds the fake server as a custom OpenAI-compatible provider through the Settings dialog. */
async function setUpProvider(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Add a provider' }).click();
  await dialog.getByLabel('Type', { exact: true }).selectOption('custom');
  await dialog.getByLabel('Name', { exact: true }).fill(PROVIDER);
  await dialog.getByLabel('Base URL', { exact: true }).fill(llm.openaiBaseUrl);
  await dialog.getByLabel('API key', { exact: true }).fill(API_KEY);
  await dialog.getByLabel('Default model', { exact: true }).fill('fake-small');
  await dialog.getByRole('button', { name: 'Add provider' }).click();
  await expect(dialog.getByRole('form', { name: 'Add a provider' })).toBeHidden();

  const item = dialog.getByTestId('provider-item').filter({ hasText: PROVIDER });
  await expect(item).toContainText('Key set');
  await expect(item).toContainText('Default');
  await expectKeyNowhere(page);

  // Test the connection: the server's models are listed.
  await item.getByRole('button', { name: 'Test and fetch models' }).click();
  await expect(item.getByRole('status')).toContainText('2 models available');
  await expect(item.getByRole('list', { name: `Models of ${PROVIDER}` })).toContainText('fake-large');

  // A model-written title would take the next scripted reply; the tests script every reply.
  await dialog.getByLabel(/Name new chats automatically/).uncheck();
  await expect(dialog.getByLabel(/Name new chats automatically/)).not.toBeChecked();

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}

/** The key went to main once; the page must not hold it anywhere, not even in an input. */
async function expectKeyNowhere(page: Page): Promise<void> {
  expect(await page.content()).not.toContain(API_KEY);
  // Runs in the page; typed structurally because this file is compiled without the DOM library.
  const values = await page
    .locator('input, textarea')
    .evaluateAll((els) => els.map((el) => (el as unknown as { value: string }).value));
  expect(values).not.toContain(API_KEY);
}

async function newChat(page: Page): Promise<void> {
  await page.getByLabel('New chat').first().click();
  await expect(page.getByRole('tab')).toHaveCount(1);
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
}

test('configure a provider, send, and watch the reply stream in', async ({ page, host }) => {
  await page.goto(host.url);
  await setUpProvider(page);
  await newChat(page);

  // The chat's own model: the picker lists what the server reported.
  await page.getByLabel('Model', { exact: true }).selectOption({ label: `${PROVIDER} · fake-large` });
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue(/fake-large/);

  llm.enqueue({ kind: 'slow', chunks: ['The ', 'quick ', 'brown ', 'fox ', 'jumps.'], delayMs: 400 });
  await send(page, 'Tell me about the fox');

  const reply = assistantMessages(page).last();
  // Part of the reply is on screen while the rest is still coming.
  await expect(contentOf(reply)).toContainText('The quick');
  expect(await contentOf(reply).textContent()).not.toContain('jumps.');
  await expect(reply).toHaveAttribute('data-status', 'streaming');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await expect(page.getByRole('tab').first()).toHaveAttribute('data-streaming', 'true');

  await expect(contentOf(reply)).toHaveText('The quick brown fox jumps.');
  await expect(reply).toHaveAttribute('data-status', 'complete');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(page.getByRole('tab').first()).not.toHaveAttribute('data-streaming', 'true');
  // Provider-reported usage (the fake reports 7 output tokens) and the time to the first token.
  await expect(reply.locator('.message__stats')).toHaveText(/^7 tokens · \d+(\.\d s| ms)$/);

  const request = llm.lastRequest();
  expect(request?.body?.model).toBe('fake-large');
  expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  await expectKeyNowhere(page);

  // After a reload the reply comes back from the database, final.
  await page.reload();
  await page.getByTestId('session-item').first().click();
  await expect(contentOf(assistantMessages(page).last())).toHaveText('The quick brown fox jumps.');
});

test('Stop keeps the partial text; Esc stops too', async ({ page, host }) => {
  await page.goto(host.url);
  await setUpProvider(page);
  await newChat(page);

  llm.enqueue({ kind: 'hang', afterChunks: 1, chunks: ['Half an ans', 'wer'] });
  await send(page, 'Start, then stall');
  const first = assistantMessages(page).last();
  await expect(contentOf(first)).toHaveText('Half an ans');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(first).toHaveAttribute('data-status', 'cancelled');
  await expect(first).toContainText('Stopped');
  await expect(contentOf(first)).toHaveText('Half an ans');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

  llm.enqueue({ kind: 'hang', afterChunks: 1, chunks: ['Another partial'] });
  await send(page, 'Again');
  const second = assistantMessages(page).last();
  await expect(contentOf(second)).toHaveText('Another partial');
  await page.getByLabel('Message', { exact: true }).press('Escape');
  await expect(second).toHaveAttribute('data-status', 'cancelled');
  await expect(contentOf(second)).toHaveText('Another partial');

  // The stopped reply can still be regenerated in full.
  llm.enqueue({ kind: 'text', chunks: ['A full ', 'answer'] });
  await second.getByRole('button', { name: 'Regenerate' }).click();
  await expect(contentOf(assistantMessages(page).last())).toHaveText('A full answer');
});

test('regenerate makes a second answer, and ‹ › switch between both', async ({ page, host }) => {
  await page.goto(host.url);
  await setUpProvider(page);
  await newChat(page);

  llm.enqueue({ kind: 'text', chunks: ['First ', 'answer'] });
  await send(page, 'One question');
  const reply = () => assistantMessages(page).last();
  await expect(contentOf(reply())).toHaveText('First answer');
  await expect(reply()).toHaveAttribute('data-status', 'complete');

  llm.enqueue({ kind: 'text', chunks: ['Second ', 'answer'] });
  await reply().getByRole('button', { name: 'Regenerate' }).click();
  await expect(contentOf(reply())).toHaveText('Second answer');
  await expect(reply()).toHaveAttribute('data-status', 'complete');
  await expect(reply()).toContainText('2/2');

  await reply().getByRole('button', { name: 'Previous branch' }).click();
  await expect(contentOf(reply())).toHaveText('First answer');
  await expect(reply()).toContainText('1/2');
  await expect(reply().getByRole('button', { name: 'Previous branch' })).toBeDisabled();

  await reply().getByRole('button', { name: 'Next branch' }).click();
  await expect(contentOf(reply())).toHaveText('Second answer');
  await expect(reply()).toContainText('2/2');

  // Editing the question branches at the user message, with its own answer.
  llm.enqueue({ kind: 'text', chunks: ['Answer to the edit'] });
  await userMessages(page).last().getByRole('button', { name: 'Edit' }).click();
  const editor = page.getByLabel('Edit message');
  await editor.fill('One better question');
  await editor.press('Enter');
  await expect(contentOf(reply())).toHaveText('Answer to the edit');
  await expect(contentOf(userMessages(page).last())).toHaveText('One better question');
  await expect(userMessages(page).last()).toContainText('2/2');

  await userMessages(page).last().getByRole('button', { name: 'Previous branch' }).click();
  await expect(contentOf(userMessages(page).last())).toHaveText('One question');
  // The original question comes back with the answer that was shown last under it.
  await expect(contentOf(reply())).toHaveText('Second answer');
});

test('an error reply says what happened, and Retry gets the answer', async ({ page, host }) => {
  await page.goto(host.url);
  await setUpProvider(page);
  await newChat(page);

  llm.enqueue({ kind: 'status', status: 500 });
  await send(page, 'Will this work?');
  const failed = assistantMessages(page).last();
  await expect(failed).toHaveAttribute('data-status', 'error');
  await expect(failed).toContainText(`${PROVIDER} had a problem on its side (HTTP 500)`);
  // The question itself is never lost.
  await expect(contentOf(userMessages(page).last())).toHaveText('Will this work?');

  llm.enqueue({ kind: 'text', chunks: ['It works ', 'now.'] });
  await failed.getByRole('button', { name: 'Retry' }).click();
  const retried = assistantMessages(page).last();
  await expect(contentOf(retried)).toHaveText('It works now.');
  await expect(retried).toHaveAttribute('data-status', 'complete');
  // Written again in place: no second version of an error to page through.
  await expect(assistantMessages(page)).toHaveCount(1);
  await expect(retried).not.toContainText('2/2');

  // A bad key reads as one.
  llm.enqueue({ kind: 'status', status: 401 });
  await send(page, 'And now?');
  await expect(assistantMessages(page).last()).toContainText('did not accept the API key');
  await expectKeyNowhere(page);
});

test('without a provider the message is kept, and Retry answers it once one is set up', async ({ page, host }) => {
  await page.goto(host.url);
  await newChat(page);
  await expect(page.getByRole('note')).toContainText('No model provider is set up yet');

  await send(page, 'Hello before setup');
  const reply = assistantMessages(page).last();
  await expect(reply).toHaveAttribute('data-status', 'error');
  await expect(reply).toContainText('No model is chosen for this chat');
  await expect(contentOf(userMessages(page).last())).toHaveText('Hello before setup');

  await setUpProvider(page);
  await expect(page.getByRole('note')).toBeHidden();
  llm.enqueue({ kind: 'text', chunks: ['Hello after setup'] });
  await reply.getByRole('button', { name: 'Retry' }).click();
  await expect(contentOf(assistantMessages(page).last())).toHaveText('Hello after setup');
});
