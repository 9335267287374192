/**
 * Settings → Data in Chromium through the web host: a real ChatGPT export imported with its dry
 * run, progress and checked report (the chats appear in the sidebar); a second import adds
 * nothing; Export everything; Back up now; and Restore by merging, which adds nothing here and
 * deletes nothing.
 */
import { resolve } from 'node:path';
import { sidebarTitles } from './fixtures/chats';
import { expect, test } from './fixtures/test';

const FIXTURE = resolve(
  import.meta.dirname,
  '../tests/fixtures/imports/chatgpt/cosmax-utils-gpt5-2025-thoughts-canvas-branch-trimmed.json',
);

test('import a ChatGPT export, export, back up and restore', async ({ page, host }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  const data = dialog.getByRole('region', { name: 'Data', exact: true });

  await data.getByLabel('Choose a file to import').setInputFiles(FIXTURE);
  const preview = data.getByRole('region', { name: 'What the file holds' });
  await expect(preview).toContainText(
    '(ChatGPT): 9 chats, 103 messages, 1 branch point, from 2025-09-18 to 2025-12-15.',
  );
  await preview.getByRole('button', { name: 'Import 9 chats' }).click();

  const report = data.getByRole('region', { name: 'Import report' });
  await expect(report).toContainText('every count matches');
  await expect(report.getByRole('row', { name: /Chats/ })).toHaveText(/Chats\s*9\s*9\s*0/);
  await expect(report.getByRole('row', { name: /Messages/ })).toHaveText(/Messages\s*103\s*103\s*0/);
  await expect(report).toContainText('imported text is found by search');

  // The same file again adds nothing.
  await data.getByLabel('Choose a file to import').setInputFiles(FIXTURE);
  await data.getByRole('button', { name: 'Import 9 chats' }).click();
  await expect(data.getByRole('region', { name: 'Import report' }).getByRole('row', { name: /Messages/ })).toHaveText(
    /Messages\s*103\s*0\s*103/,
  );

  await data.getByRole('button', { name: 'Export everything' }).click();
  await expect(data.getByRole('status').filter({ hasText: 'Exported 9 chats and 103 messages' })).toBeVisible();

  await data.getByRole('button', { name: 'Back up now' }).click();
  await expect(data.getByRole('status').filter({ hasText: 'Backed up to confab-backup-manual-' })).toBeVisible();
  const backups = data.getByRole('table', { name: 'Backups list' });
  // Two imports took a backup each before writing, then the manual one.
  await expect(backups.getByRole('row')).toHaveCount(4);

  await dialog.getByRole('button', { name: 'Close settings' }).click();
  await expect.poll(() => sidebarTitles(page)).toContain("Cos'è WebAssembly");
  const before = (await sidebarTitles(page)).length;

  // Restoring the manual backup merges: everything in it is here already, and nothing is deleted.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const manual = data.getByRole('table', { name: 'Backups list' }).getByRole('row').filter({ hasText: 'manual' });
  await manual.getByRole('button', { name: /Restore the backup/ }).click();
  await manual.getByRole('button', { name: 'Restore by merging' }).click();
  await expect(
    data
      .getByRole('status')
      .filter({
        hasText: /Restored confab-backup-manual-.*: 0 rows added, 0 updated from the backup, nothing deleted/,
      }),
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Close settings' }).click();
  expect((await sidebarTitles(page)).length).toBe(before);
});
