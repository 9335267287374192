/**
 * The desktop app itself, through Playwright's Electron driver. It runs wherever the Electron
 * binary is installed; on machines that install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 it says so
 * and skips (the same core is covered there through the web host).
 */
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { _electron as electron, expect, test } from 'playwright/test';

/**
 * Looks for the installed binary without `require('electron')`: that call tries to download a
 * missing binary, which hangs or fails on machines that reach only the npm registry.
 */
function electronBinary(): string | null {
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const relative = existsSync(join(pkgDir, 'path.txt')) ? readFileSync(join(pkgDir, 'path.txt'), 'utf8').trim() : '';
    if (!relative) return null;
    const full = override ? join(override, relative) : join(pkgDir, 'dist', relative);
    return existsSync(full) ? full : null;
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
    expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe(
      'undefined',
    );
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
