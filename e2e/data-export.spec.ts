/**
 * Export delivery in Chromium through the web host (no save dialog): the browser really receives
 * the Confab export, a zip of every chat's Markdown, and one chat's Markdown from Cmd+K, and each
 * file holds what it should.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright/test';
import { listZipEntries, openZipEntry } from '../src/main/import/zip';
import { expect, test } from './fixtures/test';

const FIXTURE = resolve(
  import.meta.dirname,
  '../tests/fixtures/imports/chatgpt/cosmax-utils-gpt5-2025-thoughts-canvas-branch-trimmed.json',
);

/** Clicks `trigger` and returns the file the browser downloaded: its suggested name and path. */
async function download(page: Page, trigger: () => Promise<void>): Promise<{ name: string; path: string }> {
  const [received] = await Promise.all([page.waitForEvent('download'), trigger()]);
  return { name: received.suggestedFilename(), path: (await received.path())! };
}

async function zipTexts(path: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await listZipEntries(path, 'download.zip')) {
    const chunks: Buffer[] = [];
    for await (const chunk of await openZipEntry(path, entry, 'download.zip')) chunks.push(chunk as Buffer);
    out[entry.name] = Buffer.concat(chunks).toString('utf8');
  }
  return out;
}

test('the browser downloads a Confab export, all chats as Markdown, and one chat from Cmd+K', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  const data = dialog.getByRole('region', { name: 'Data', exact: true });
  await data.getByLabel('Choose a file to import').setInputFiles(FIXTURE);
  await data
    .getByRole('region', { name: 'What the file holds' })
    .getByRole('button', { name: 'Import 9 chats' })
    .click();
  await expect(data.getByRole('region', { name: 'Import report' })).toContainText('every count matches');

  const confab = await download(page, () => data.getByRole('button', { name: 'Export everything' }).click());
  expect(confab.name).toMatch(/^confab-export-.*\.jsonl$/);
  const lines = (await readFile(confab.path, 'utf8')).trimEnd().split('\n');
  expect(JSON.parse(lines[0]!)).toMatchObject({ confab: 'export', scope: 'all' });
  expect(lines.filter((l) => l.startsWith('{"t":"chat_sessions"'))).toHaveLength(9);
  expect(lines.filter((l) => l.startsWith('{"t":"messages"'))).toHaveLength(103);
  await expect(
    data.getByRole('status').filter({ hasText: `Exported 9 chats and 103 messages: downloaded as ${confab.name}.` }),
  ).toBeVisible();

  const zip = await download(page, () => data.getByRole('button', { name: 'Export all chats as Markdown' }).click());
  expect(zip.name).toMatch(/^confab-chats-\d{4}-\d{2}-\d{2}\.zip$/);
  const chats = await zipTexts(zip.path);
  expect(Object.keys(chats)).toHaveLength(9);
  const wasm = Object.entries(chats).find(([, text]) => text.startsWith("# Cos'è WebAssembly"));
  expect(wasm?.[0]).toBe('Cos-e-WebAssembly.md');

  await dialog.getByRole('button', { name: 'Close settings' }).click();
  await page.getByRole('navigation').getByText("Cos'è WebAssembly").first().click();
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await palette.getByRole('combobox').fill('Export chat as Markdown');
  const one = await download(page, () => palette.getByRole('option', { name: /Export chat as Markdown/ }).click());
  expect(one.name).toBe('Cos-e-WebAssembly.md');
  expect(await readFile(one.path, 'utf8')).toBe(wasm![1]);
});
