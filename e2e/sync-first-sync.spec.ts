/**
 * Team sync end to end (issue 14), (d): a new device's first sync of a long history. The member's
 * 400 chats and 20,000 messages are written on the team server with SQL (fixtures/teamHistory),
 * then a web host on an empty data dir connects with CONFAB_SYNC_URL. While the pull runs, the
 * sidebar's indicator shows how much of the whole has arrived, and the app is already usable: a
 * chat that has arrived opens with its messages, and Cmd+K finds what they say. When the
 * indicator says synced, every chat and message is on the device.
 *
 * The host reaches the server through a relay that stalls the link after the first few batches
 * (as a slow or flaky network would), so "meanwhile" is a state the test holds, not a race it
 * can lose: on a fast machine a 20k pull can end before a browser has clicked anything.
 */
import type { Page } from 'playwright/test';
import { sidebar } from './fixtures/chats';
import { searchHits, startTeamServer, syncIndicator, type TeamServer } from './fixtures/sync';
import { seedTeamHistory, type TeamHistory } from './fixtures/teamHistory';
import { expect, test } from './fixtures/test';
import { startTcpProxy, type TcpProxy } from './fixtures/tcpProxy';
import { makeDataDir, removeDataDir, startHost, type RunningHost } from './fixtures/webHost';

/** The pull runs at a few thousand rows a second, slower on a busy 2-core machine. */
const WHOLE_PULL = { timeout: 300_000 };
/**
 * What the relay lets through before it stalls the link: the handshake, the backlog count and the
 * first batches (the chat rows, then chat 1's messages; about 1.2 MB a batch of 1,000 rows), and
 * a sixth of the whole history (25 MB measured).
 */
const STALL_AFTER_BYTES = 4 * 1024 * 1024;

let team: TeamServer;
let history: TeamHistory;
let memberUrl: string;
let host: RunningHost | undefined;
let dataDir: string | undefined;
let proxy: TcpProxy;

/** The sidebar row of the chat titled exactly `title` ("… 1" is not "… 17"). */
const chatRow = (page: Page, title: string) =>
  sidebar(page)
    .getByRole('link')
    .filter({ has: page.getByText(title, { exact: true }) });

const sessionTotals = (page: Page) =>
  page.evaluate(`window.confab.sessions.list({ view: 'active', limit: 500 }).then((p) => ({
    chats: p.items.length,
    messages: p.items.reduce((sum, s) => sum + s.messageCount, 0),
    more: p.nextCursor !== null,
  }))`) as Promise<{ chats: number; messages: number; more: boolean }>;

test.describe.configure({ timeout: 480_000 });

test.beforeAll(async () => {
  team = await startTeamServer();
  const member = await team.addMember('ada');
  history = await team.asAdmin((admin) => seedTeamHistory(admin, { userId: member.userId, displayName: member.role }));
  proxy = await startTcpProxy(team.url);
  memberUrl = proxy.via(member.url);
});

test.afterAll(async () => {
  await host?.stop();
  if (dataDir) removeDataDir(dataDir);
  await proxy?.close();
  await team?.stop();
});

test('(d) the first sync of a 20k-message history shows progress, and the sidebar is usable before it ends', async ({
  browser,
}) => {
  const totalMessages = history.chats * history.messagesPerChat;
  const started = Date.now();
  dataDir = makeDataDir();
  proxy.holdAfter(STALL_AFTER_BYTES);
  host = await startHost(dataDir, undefined, 0, { CONFAB_SYNC_URL: memberUrl });
  const page = await browser.newPage();
  await page.goto(host.url);
  await expect(sidebar(page)).toBeVisible();

  // The pull counted its backlog once: the bar measures the whole history, chats and messages.
  const progress = sidebar(page).getByRole('progressbar', { name: 'Sync progress' });
  await expect(progress).toHaveAttribute('aria-valuemax', String(totalMessages), { timeout: 60_000 });
  await expect(progress).toHaveAttribute(
    'aria-valuetext',
    /^Chats [\d,.\s]+ of 400 · Messages [\d,.\s]+ of 20[,.\s]?000$/,
  );
  await expect(syncIndicator(page)).toContainText('Syncing');
  const progressSeenMs = Date.now() - started;
  // The link stalls part-way: the pull is under way and cannot end while the test looks.
  await expect.poll(() => proxy.holding, { timeout: 60_000 }).toBe(true);

  // Usable meanwhile: the newest chat, the first to arrive, is listed, opens, and shows its
  // messages; Cmd+K finds a word that only its last message holds.
  await chatRow(page, history.title(1)).click();
  await expect(page.getByRole('tab', { name: history.title(1), selected: true })).toBeVisible();
  const leaf = page.locator('[data-testid="message"]').filter({ hasText: history.firstChatWord });
  await expect(leaf).toBeVisible();
  await expect(page.locator('[data-testid="message"][data-role="user"]').first()).toBeVisible();
  const hits = await searchHits(page, history.firstChatWord);
  expect(hits.join('\n')).toContain(history.title(1));
  // ...and all of that while the first sync was still under way.
  await expect(syncIndicator(page)).toContainText('Syncing');
  const doneWhileUsable = Number(await progress.getAttribute('aria-valuenow'));
  expect(doneWhileUsable).toBeGreaterThan(0);
  expect(doneWhileUsable).toBeLessThan(totalMessages);
  const usableMs = Date.now() - started;
  const stalledAtBytes = proxy.bytesFromServer;
  proxy.release();
  const releasedAt = Date.now();

  // The end: synced, every chat and message here, and the very last message found by search.
  await expect(syncIndicator(page)).toContainText('Synced', WHOLE_PULL);
  await expect(progress).toBeHidden();
  const syncedMs = Date.now() - started;
  const restMs = Date.now() - releasedAt;
  expect(await sessionTotals(page)).toEqual({ chats: history.chats, messages: totalMessages, more: false });
  const lastHits = await searchHits(page, history.lastWord);
  expect(lastHits.join('\n')).toContain(history.title(history.chats));

  test.info().annotations.push({
    type: 'figures',
    description:
      `progress shown after ${progressSeenMs} ms; chat opened and searched after ${usableMs} ms ` +
      `(${doneWhileUsable} of ${totalMessages} messages in, the link stalled after ${stalledAtBytes} bytes); synced after ${syncedMs} ms, ` +
      `${restMs} ms after the link came back (${Math.round((totalMessages - doneWhileUsable) / (restMs / 1000))} messages/s; ` +
      `${proxy.bytesFromServer} bytes in all)`,
  });
});
