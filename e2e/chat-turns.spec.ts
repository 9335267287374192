/**
 * Failed turns and reasoning, end to end: Chromium drives the UI through the web host, whose
 * engine talks to the fake LLM server over HTTP. What the model is sent is read off the server.
 */
import type { Locator, Page } from 'playwright/test';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { addFakeProvider } from './fixtures/provider';
import { expect, test } from './fixtures/test';

let llm: FakeLlm;

test.beforeEach(async () => {
  llm = await startFakeLlm();
});

test.afterEach(async () => {
  await llm.close();
});

const messages = (page: Page) => page.getByTestId('message');
const assistantMessages = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]');
const contentOf = (message: Locator) => message.getByTestId('message-content');

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

test('a failed turn is not sent to the model again, says so, and Retry writes it in place', async ({ page, host }) => {
  await page.goto(host.url);
  await addFakeProvider(page, llm);
  await newChat(page);

  llm.enqueue({ kind: 'status', status: 500 });
  await send(page, 'first FAIL500 please');
  await expect(assistantMessages(page).last()).toHaveAttribute('data-status', 'error');
  await expect(messages(page).nth(0)).toContainText('Not sent to the model');
  await expect(messages(page).nth(1)).toContainText('Not sent to the model');

  llm.enqueue({ kind: 'text', chunks: ['Second ', 'answer'] });
  await send(page, 'second message');
  await expect(contentOf(assistantMessages(page).last())).toHaveText('Second answer');
  expect(llm.lastRequest()?.body?.messages).toEqual([{ role: 'user', content: 'second message' }]);
  await expect(messages(page).nth(2)).not.toContainText('Not sent to the model');
  await expect(messages(page).nth(0)).toContainText('Not sent to the model');

  // After a 401 the chat keeps working once the provider answers again.
  llm.enqueue({ kind: 'status', status: 401 });
  await send(page, 'third message');
  const failed = assistantMessages(page).last();
  await expect(failed).toContainText('did not accept the API key');
  await expect(failed).toContainText('Not sent to the model');

  llm.enqueue({ kind: 'slow', chunks: ['Retried ', 'in ', 'place.'], delayMs: 300 });
  await failed.getByRole('button', { name: 'Retry' }).click();
  // It streams where it was: the same message, no second version to page through.
  await expect(contentOf(failed)).toContainText('Retried');
  await expect(failed).toHaveAttribute('data-status', 'streaming');
  await expect(contentOf(failed)).toHaveText('Retried in place.');
  await expect(failed).toHaveAttribute('data-status', 'complete');
  await expect(assistantMessages(page)).toHaveCount(3);
  await expect(failed).not.toContainText('2/2');
  await expect(failed).not.toContainText('Not sent to the model');
  expect(llm.lastRequest()?.body?.messages).toEqual([
    { role: 'user', content: 'second message' },
    { role: 'assistant', content: 'Second answer' },
    { role: 'user', content: 'third message' },
  ]);
});

test('reasoning shows as a folded "Reasoning" section, apart from the answer and out of later context', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  await addFakeProvider(page, llm);
  await newChat(page);

  llm.enqueue({ kind: 'text', reasoning: ['Weighing ', 'the options.'], chunks: ['The ', 'answer.'] });
  await send(page, 'Think first');
  const reply = assistantMessages(page).last();
  await expect(contentOf(reply)).toHaveText('The answer.');
  await expect(reply).toHaveAttribute('data-status', 'complete');
  const reasoning = reply.getByTestId('reasoning');
  await expect(reasoning.locator('summary')).toHaveText('Reasoning');
  // Folded: the thinking is not on screen until asked for.
  await expect(reasoning.getByText('Weighing the options.')).toBeHidden();
  await reasoning.locator('summary').click();
  await expect(reasoning.getByText('Weighing the options.')).toBeVisible();

  // Kept across a reload (it is saved with the message), and never sent back to the model.
  await page.reload();
  await page
    .getByTestId('session-item')
    .first()
    .click({ position: { x: 12, y: 12 } });
  await expect(assistantMessages(page).last().getByTestId('reasoning')).toBeAttached();
  llm.enqueue({ kind: 'text', chunks: ['Next answer.'] });
  await send(page, 'And then?');
  await expect(contentOf(assistantMessages(page).last())).toHaveText('Next answer.');
  expect(JSON.stringify(llm.lastRequest()?.body?.messages)).not.toContain('Weighing');
  expect(llm.lastRequest()?.body?.messages).toEqual([
    { role: 'user', content: 'Think first' },
    { role: 'assistant', content: 'The answer.' },
    { role: 'user', content: 'And then?' },
  ]);
});
