/**
 * The desktop app itself, through Playwright's Electron driver. It runs wherever the Electron
 * binary is installed; on machines that install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 it says so
 * and skips (the same core is covered there through the web host).
 */
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from 'playwright/test';

function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

test('the Electron window opens with a sandboxed, isolated renderer and keeps a message', async () => {
  test.skip(!binary, 'skipped: Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD)');
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-electron-'));
  try {
    const app = await electron.launch({
      executablePath: binary!,
      args: [resolve(import.meta.dirname, '..'), '--no-sandbox'],
      env: { ...process.env, CONFAB_DATA_DIR: dataDir },
    });
    const page = await app.firstWindow();
    expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as unknown as { confab?: unknown }).confab)).toBe('object');
    await page.getByLabel('New chat').first().click();
    await page.getByLabel('Message', { exact: true }).fill('hello from electron');
    await page.getByLabel('Message', { exact: true }).press('Enter');
    await expect(page.getByTestId('message').filter({ hasText: 'hello from electron' })).toBeVisible();
    await app.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
