import { test, expect } from './fixtures/test';

test('create a chat, add a message, reload: it is still there', async ({ page, host }) => {
  await page.goto(host.url);
  await page.getByLabel('New chat').first().click();
  await expect(page.getByRole('tab')).toHaveCount(1);
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill('Remember the PGlite smoke test');
  await composer.press('Enter');
  await expect(page.getByTestId('message').filter({ hasText: 'Remember the PGlite smoke test' })).toBeVisible();
  await expect(composer).toHaveValue('');

  await page.reload();
  await expect(page.getByTestId('session-item')).toHaveCount(1);
  await page.getByTestId('session-item').first().click();
  await expect(page.getByTestId('message').filter({ hasText: 'Remember the PGlite smoke test' })).toBeVisible();
});

test('the history survives a restart of the host', async ({ page, host }) => {
  await page.goto(host.url);
  await page.getByLabel('New chat').first().click();
  await page.getByLabel('Message', { exact: true }).fill('Still here after a restart');
  await page.getByLabel('Message', { exact: true }).press('Enter');
  await expect(page.getByTestId('message').filter({ hasText: 'Still here after a restart' })).toBeVisible();

  await host.restart();
  await page.goto(host.url);
  await page.getByTestId('session-item').first().click();
  await expect(page.getByTestId('message').filter({ hasText: 'Still here after a restart' })).toBeVisible();
});
