/**
 * The web host restarted under an open page (issue 11 #12): every start has a new token, so the
 * page's socket is refused with 401 when it reconnects. The page says that the host restarted and
 * that its new link must be opened, keeps what was typed in the composer, and does not go on
 * saying "Reconnecting…"; the new link opens the same history.
 */
import { createServer } from 'node:net';
import { expect, test } from './fixtures/test';
import { makeDataDir, removeDataDir, startHost, type RunningHost } from './fixtures/webHost';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

test('a page open across a host restart says to open the new link and keeps the draft', async ({ page }) => {
  test.setTimeout(120_000);
  const dataDir = makeDataDir();
  const port = await freePort();
  let host: RunningHost = await startHost(dataDir, undefined, port);
  try {
    await page.goto(host.url);
    await page.getByLabel('New chat').first().click();
    const composer = page.getByLabel('Message', { exact: true });
    await composer.fill('A draft written before the restart');

    await host.stop();
    host = await startHost(dataDir, undefined, port);
    expect(new URL(host.url).port).toBe(String(port));

    const banner = page.getByRole('alert').filter({ hasText: 'web host was restarted' });
    await expect(banner).toBeVisible({ timeout: 30_000 });
    await expect(banner).toContainText('open the new link');
    await expect(composer).toHaveValue('A draft written before the restart');
    await expect(page.getByText('Reconnecting…')).toHaveCount(0);

    // The new link opens the app again, on the same data.
    await page.goto(host.url);
    await expect(page.getByRole('alert').filter({ hasText: 'web host was restarted' })).toHaveCount(0);
    await expect(page.getByRole('navigation', { name: 'Chats' })).toBeVisible();
  } finally {
    await host.stop();
    removeDataDir(dataDir);
  }
});
