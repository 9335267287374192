/**
 * Team sync end to end (issue 14): web hosts on their own data dirs, one real PostgreSQL (the
 * run's embedded one, or TEST_DATABASE_URL), Chromium driving each host's UI. The hosts reach the
 * server through a TCP relay so the test can take the server away and bring it back on the same
 * address. Devices A and B are one user (ada) on two computers; C is a teammate (bob).
 *   (a) a chat made on A appears on B with its messages and branches;
 *   (b) both offline: each renames the same chat and adds a message; back online, both converge,
 *       the later rename wins and every message is on both;
 *   (c) A shares the chat: C sees it read-only under Team and continues in a copy; A stops
 *       sharing: C's copy of A's chat goes, C's own copy stays.
 * (d), the first sync of a 20k-message history, is sync-first-sync.spec.ts: its history is written
 * on the server with SQL, since a device pushing it runs at a few hundred rows a second here.
 */
import type { Browser, Page } from 'playwright/test';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { createNamedChat, rowAction, sidebar, sidebarTitles } from './fixtures/chats';
import { addFakeProvider } from './fixtures/provider';
import { chatLink, searchHits, startTeamServer, syncIndicator as indicator, type TeamServer } from './fixtures/sync';
import { startTcpProxy, type TcpProxy } from './fixtures/tcpProxy';
import { expect, test } from './fixtures/test';
import { makeDataDir, removeDataDir, startHost, type RunningHost } from './fixtures/webHost';

/** Sync rounds run in the background; these waits are for a round or two, on a busy machine. */
const SYNCED = { timeout: 60_000 };

let team: TeamServer;
let proxy: TcpProxy;
let llm: FakeLlm;
const hosts: RunningHost[] = [];
const dataDirs: string[] = [];
let ada: string;
let bob: { url: string; role: string };

async function openHost(browser: Browser, syncUrl?: string): Promise<Page> {
  const dir = makeDataDir();
  dataDirs.push(dir);
  const host = await startHost(dir, undefined, 0, syncUrl ? { CONFAB_SYNC_URL: syncUrl } : {});
  hosts.push(host);
  const page = await browser.newPage();
  await page.goto(host.url);
  await expect(sidebar(page)).toBeVisible();
  return page;
}

/** Asks for a round now from the indicator's detail, instead of waiting for the next poll. */
async function syncNow(page: Page): Promise<void> {
  await indicator(page).click();
  const detail = page.getByRole('dialog', { name: 'Sync details' });
  await detail.getByRole('button', { name: 'Sync now' }).click();
  await page.keyboard.press('Escape');
  await expect(detail).toBeHidden();
}

/** Syncs until `check` holds (a round may end just before the other device's change lands). */
async function untilSynced(pages: Page[], check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    for (const page of pages) await syncNow(page);
    await check();
  }).toPass(SYNCED);
}

async function renameChat(page: Page, from: string, to: string): Promise<void> {
  await rowAction(page, from, 'Rename');
  const input = sidebar(page).getByRole('textbox', { name: 'Chat title' });
  await input.fill(to);
  await input.press('Enter');
  await expect(chatLink(page, to)).toBeVisible();
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  await expect(page.locator('[data-testid="message"][data-role="assistant"]').last()).toHaveAttribute(
    'data-status',
    'complete',
  );
}

test.describe.configure({ mode: 'serial', timeout: 240_000 });

test.beforeAll(async () => {
  team = await startTeamServer();
  const adaMember = await team.addMember('ada');
  const bobMember = await team.addMember('bob');
  proxy = await startTcpProxy(team.url);
  ada = proxy.via(adaMember.url);
  bob = { url: proxy.via(bobMember.url), role: bobMember.role };
  llm = await startFakeLlm();
});

test.afterAll(async () => {
  for (const host of hosts) await host.stop();
  for (const dir of dataDirs) removeDataDir(dir);
  await llm?.close();
  await proxy?.close();
  await team?.stop();
});

test('two devices of one user, and a teammate: (a) a new chat, (b) offline edits, (c) share and fork', async ({
  browser,
}) => {
  // A connects through Settings, as a person would; B and C at start, as a headless host does.
  const a = await openHost(browser);
  await addFakeProvider(a, llm);
  await a.getByRole('button', { name: 'Settings' }).click();
  const settings = a.getByRole('dialog', { name: 'Settings' });
  const section = settings.getByRole('region', { name: 'Team sync' });
  await section.getByLabel('Connection string').fill(ada);
  await section.getByRole('button', { name: 'Test' }).click();
  await expect(section.getByRole('status')).toContainText('The server answered');
  await section.getByRole('button', { name: 'Connect' }).click();
  await expect(section).toContainText('Connected as');
  await expect(a.locator('body')).not.toContainText(new URL(ada).password);
  await a.keyboard.press('Escape');
  await expect(indicator(a)).toContainText('Synced', SYNCED);

  // (a) A chat with a branch, made on A, appears on B whole.
  await createNamedChat(a, 'Trip plan');
  await send(a, 'Where to go in spring?');
  const replyA = a.locator('[data-testid="message"][data-role="assistant"]').last();
  await replyA.getByRole('button', { name: 'Regenerate' }).click();
  await expect(replyA).toContainText('2/2');

  const b = await openHost(browser, ada);
  await addFakeProvider(b, llm);
  await untilSynced([a, b], async () => expect(await sidebarTitles(b)).toContain('Trip plan'));
  await chatLink(b, 'Trip plan').click();
  await expect(b.locator('[data-testid="message"][data-role="user"]').last()).toContainText('Where to go in spring?');
  await expect(b.locator('[data-testid="message"][data-role="assistant"]').last()).toContainText('2/2');

  // (b) The server goes away; each device renames the chat and adds a message.
  await proxy.down();
  for (const page of [a, b]) {
    await syncNow(page);
    await expect(indicator(page)).toContainText('Offline', SYNCED);
  }
  await renameChat(a, 'Trip plan', 'Trip (renamed on A)');
  await chatLink(a, 'Trip (renamed on A)').click();
  await send(a, 'Added on A while offline');
  await renameChat(b, 'Trip plan', 'Trip (renamed on B, later)');
  await chatLink(b, 'Trip (renamed on B, later)').click();
  await send(b, 'Added on B while offline');
  await expect(indicator(a)).toContainText(/changes? kept/);
  await expect(indicator(b)).toContainText(/changes? kept/);

  await proxy.up();
  await untilSynced([a, b], async () => {
    for (const page of [a, b]) {
      const titles = await sidebarTitles(page);
      expect(titles).toContain('Trip (renamed on B, later)');
      expect(titles).not.toContain('Trip (renamed on A)');
    }
  });
  for (const page of [a, b]) {
    await expect(indicator(page)).toContainText('Synced', SYNCED);
    const hits = await searchHits(page, 'while offline');
    expect(hits.join('\n')).toContain('Added on A while offline');
    expect(hits.join('\n')).toContain('Added on B while offline');
  }

  // (c) A shares the chat with the team; C (bob) sees it read-only and continues in a copy.
  const c = await openHost(browser, bob.url);
  await rowAction(a, 'Trip (renamed on B, later)', 'Share with team');
  await untilSynced([a, c], async () =>
    expect(sidebar(c).getByRole('region', { name: 'Team' })).toContainText('Trip (renamed on B, later)'),
  );
  await expect(a.getByRole('note').filter({ hasText: 'Shared with' })).toContainText(bob.role, SYNCED);
  const team = sidebar(c).getByRole('region', { name: 'Team' });
  await expect(team).toContainText('by ada_');
  await team.getByRole('link', { name: /Trip \(renamed on B, later\)/ }).click();
  await expect(c.getByText('It is read-only here.')).toBeVisible();
  await expect(c.getByLabel('Message', { exact: true })).toHaveCount(0);
  await c.getByRole('button', { name: 'Continue in my copy' }).click();
  await expect(c.getByRole('tab', { name: 'Trip (renamed on B, later) (copy)', selected: true })).toBeVisible();
  await expect(c.getByLabel('Message', { exact: true })).toBeVisible();

  // A stops sharing: C's copy of A's chat leaves C; C's own copy stays.
  await rowAction(a, 'Trip (renamed on B, later)', 'Stop sharing');
  await untilSynced([a, c], async () => expect(sidebar(c).getByRole('region', { name: 'Team' })).toHaveCount(0));
  expect(await sidebarTitles(c)).toContain('Trip (renamed on B, later) (copy)');
});
