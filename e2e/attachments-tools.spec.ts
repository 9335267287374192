/**
 * MCP tools in Chromium through the web host: add the test stdio MCP server in Settings, turn it
 * on for a chat, let the (fake) model call a tool, approve the call, and see its folded block with
 * input and output and the model's answer.
 */
import { resolve } from 'node:path';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { addFakeProvider } from './fixtures/provider';
import { expect, test } from './fixtures/test';

const TEST_SERVER = resolve(import.meta.dirname, '../tests/helpers/mcpServer.mjs');

let llm: FakeLlm;

test.beforeEach(async () => {
  test.slow();
  llm = await startFakeLlm();
});

test.afterEach(async () => {
  await llm.close();
});

test('a tool call from the model waits for approval, runs, and shows its block', async ({ page, host }) => {
  await page.goto(host.url);
  await addFakeProvider(page, llm);

  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('button', { name: 'Add a tool server' }).click();
  const form = dialog.getByRole('form', { name: 'Add a tool server' });
  await form.getByLabel('Name', { exact: true }).fill('Calculator');
  await form.getByLabel('Command', { exact: true }).fill(process.execPath);
  await form.getByLabel('Arguments (one a line)').fill(TEST_SERVER);
  await form.getByRole('button', { name: 'Add server' }).click();
  const server = dialog.getByTestId('tool-server').filter({ hasText: 'Calculator' });
  await expect(server.getByTestId('tool-server-status')).toHaveText('Ready', { timeout: 30_000 });
  await expect(server).toContainText('Tools: add, echo, fail, slow, crash');
  await dialog.getByRole('button', { name: 'Close settings' }).click();
  await expect(dialog).toBeHidden();

  await page.getByLabel('New chat').first().click();
  await page.getByRole('button', { name: 'Tools' }).click();
  // The box follows the saved state, so it turns on once main has saved it.
  const toggle = page.getByRole('group', { name: 'Tool servers for this chat' }).getByLabel('Calculator');
  await toggle.click();
  await expect(toggle).toBeChecked();
  await expect(page.getByRole('button', { name: 'Tools (1)' })).toBeVisible();

  llm.enqueue(
    { kind: 'tool_calls', calls: [{ id: 'call_e2e', name: 'Calculator__add', arguments: '{"a":19,"b":23}' }] },
    { kind: 'text', chunks: ['19 + 23 = 42.'] },
  );
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill('What is 19 + 23?');
  await composer.press('Enter');

  const call = page.getByTestId('tool-call');
  await expect(call).toHaveAttribute('data-status', 'pending');
  await expect(call).toContainText('"a": 19');
  await call.getByRole('button', { name: 'Allow', exact: true }).click();
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toContainText('19 + 23 = 42.');
  await expect(call).toHaveAttribute('data-status', 'succeeded');
  await call.locator('summary').click();
  await expect(call.getByTestId('tool-output')).toHaveText('42');
  expect(llm.lastRequest()!.body!.messages!.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_e2e', content: '42' });
});
