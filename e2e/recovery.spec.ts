/**
 * A database that cannot be opened: the web host starts anyway and the page shows the recovery
 * screen. Here the database's control file is cut to nothing, as a failing disk might leave it.
 */
import { cpSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures/test';
import { makeDataDir, removeDataDir, startHost, type RunningHost } from './fixtures/webHost';

const TEMPLATE = resolve(import.meta.dirname, '../out/pgdata-template');

let dataDir: string;
let host: RunningHost | null = null;

test.beforeEach(async () => {
  dataDir = makeDataDir();
  cpSync(TEMPLATE, join(dataDir, 'pgdata'), { recursive: true });
  truncateSync(join(dataDir, 'pgdata', 'global', 'pg_control'), 0);
  host = await startHost(dataDir);
});

test.afterEach(async () => {
  await host?.stop();
  host = null;
  removeDataDir(dataDir);
});

test('a damaged database opens the recovery screen; a fresh start lands in the app, the old folder kept', async ({
  page,
}) => {
  // A fresh start copies the template and opens it: seconds on a busy two-core machine.
  test.setTimeout(120_000);
  await page.goto(host!.url);
  await expect(page.getByRole('heading', { name: 'Confab cannot open its database' })).toBeVisible();
  await expect(page.getByText('The database files are damaged, so Confab cannot open them.')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Data folder path' })).toHaveValue(dataDir);
  // A browser cannot open folders: the path is there to copy instead.
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open the data folder' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Restore the newest backup' })).toBeDisabled();

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(result.violations.map((v) => `${scheme}: ${v.id} ${v.help}`)).toEqual([]);
  }

  await page.getByRole('button', { name: 'Start with a fresh database' }).click();
  await expect(page.getByLabel('New chat').first()).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('New chat').first().click();
  await expect(page.getByRole('tab')).toHaveCount(1);

  const aside = readdirSync(dataDir).filter((f) => f.startsWith('pgdata.broken-'));
  expect(aside).toHaveLength(1);
  expect(statSync(join(dataDir, aside[0]!, 'global', 'pg_control')).size).toBe(0);
  expect(statSync(join(dataDir, aside[0]!, 'PG_VERSION')).isFile()).toBe(true);
});
