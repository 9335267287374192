/**
 * Editing a tool server in Settings → Tools, in Chromium through the web host: a server added
 * with a wrong argument fails with its stderr shown; Edit fixes the argument and sets an
 * environment, and the server restarts ready with it (the environment itself is never shown).
 */
import { resolve } from 'node:path';
import { expect, test } from './fixtures/test';

const TEST_SERVER = resolve(import.meta.dirname, '../tests/helpers/mcpServer.mjs');

test('a failed tool server is fixed with Edit and restarts with the new settings', async ({ page, host }) => {
  test.slow();
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('button', { name: 'Add a tool server' }).click();
  const add = dialog.getByRole('form', { name: 'Add a tool server' });
  await add.getByLabel('Name', { exact: true }).fill('Calculator');
  await add.getByLabel('Command', { exact: true }).fill(process.execPath);
  await add.getByLabel('Arguments (one a line)').fill(`${TEST_SERVER}.typo`);
  await add.getByRole('button', { name: 'Add server' }).click();
  const server = dialog.getByTestId('tool-server').filter({ hasText: 'Calculator' });
  await expect(server.getByTestId('tool-server-status')).toHaveText('Failed', { timeout: 30_000 });

  await server.getByRole('button', { name: 'Edit Calculator' }).click();
  const edit = server.getByRole('form', { name: 'Edit Calculator' });
  await expect(edit.getByLabel('Command', { exact: true })).toHaveValue(process.execPath);
  await expect(edit.getByLabel('Arguments (one a line)')).toHaveValue(`${TEST_SERVER}.typo`);
  await edit.getByLabel('Name', { exact: true }).fill('Calculator 2');
  await edit.getByLabel('Arguments (one a line)').fill(TEST_SERVER);
  await edit.getByLabel(/^Environment/).fill('TEST_SECRET=e2e-secret-value');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();

  const fixed = dialog.getByTestId('tool-server').filter({ hasText: 'Calculator 2' });
  await expect(fixed.getByTestId('tool-server-status')).toHaveText('Ready', { timeout: 30_000 });
  await expect(fixed).toContainText('Tools: add, echo, fail, slow, crash');
  await expect(fixed).toContainText(`${TEST_SERVER} · environment set`);
  await expect(page.locator('body')).not.toContainText('e2e-secret-value');

  // Editing again: the environment is kept unless replaced or removed.
  await fixed.getByRole('button', { name: 'Edit Calculator 2' }).click();
  const again = fixed.getByRole('form', { name: 'Edit Calculator 2' });
  await expect(again.getByLabel(/^New environment/)).toHaveValue('');
  await again.getByLabel('Remove the environment').check();
  await again.getByRole('button', { name: 'Save' }).click();
  await expect(fixed).not.toContainText('environment set');
  await expect(fixed.getByTestId('tool-server-status')).toHaveText('Ready', { timeout: 30_000 });
});
