/**
 * The UI's speed, measured in real Chromium against the web host (the same renderer and core the
 * Electron app runs). Times are taken inside the page with performance.now(), from the user's
 * action to the frame after the result is in the DOM (requestAnimationFrame, then a task), so
 * Playwright's own round trips are not counted.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CorePaths } from '../../src/main/core/core';
import { CHROMIUM_ARGS, findChromium } from '../../e2e/fixtures/browser';
import { startHost, type RunningHost } from '../../e2e/fixtures/webHost';
import { openAppDb } from './app-db';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus } from './corpus';
import { insertBatches } from './insert';
import { summarize, type Summary } from './stats';

export interface BrowserBenchResults {
  chromium: string;
  /** 10k-session data dir: from navigation, and from the app's first render, to the first sidebar row painted. */
  sidebar: {
    sessions: number;
    fromNavigation: Summary;
    fromAppStart: Summary;
    /** The same span in parts: the first sessions.list's round trip, and its answer to the painted row. */
    listRoundTrip: Summary;
    answerToPaint: Summary;
  };
  /** Click on the 10k-message session's row to its first messages painted. */
  openBigSession: Summary;
  /** Most message rows in the DOM at once while scrolling up through the big session. */
  maxMessageRows: number;
  scrollSteps: number;
  /** Distinct messages that passed through the DOM while scrolling (shows older pages loaded). */
  messagesSeen: number;
  /** Opening a chat whose reply is 1 MB: click to painted, and the longest main-thread task meanwhile. */
  hugeMessage: { bytes: number; openMs: number; longestTaskMs: number };
  /** Cmd/Ctrl+K: from the last keypress of a query to its results painted. */
  palette: (Summary & { queries: number }) | null;
  paletteError?: string;
}

export interface BrowserBenchOptions {
  paths: CorePaths;
  /** The seeded 100k-message data dir; it is copied, never changed. */
  dataDir: string;
  bigSessionId: string;
  tmpBase: string;
  runs: number;
  /** Size of the many-sessions corpus for the sidebar figure. */
  sidebarSessions: number;
  seed: number;
  nowMs: number;
}

const HUGE_BYTES = 1_000_000;

/** In-page: resolves with performance.now() once `selector` matches and a frame has been drawn. */
const PAINTED_HELPER = `
  window.__confabPainted = (selector, root = document) => new Promise((resolve) => {
    const done = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
    if (root.querySelector(selector)) return done();
    const observer = new MutationObserver(() => {
      if (!root.querySelector(selector)) return;
      observer.disconnect();
      done();
    });
    observer.observe(root, { childList: true, subtree: true });
  });`;

const STEP_TIMEOUT_MS = 60_000;

/** page.evaluate with a deadline: a probe that never fires must fail the step, not hang the bench. */
async function inPage<T>(page: Page, expression: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no result within ${STEP_TIMEOUT_MS / 1000} s`)),
      STEP_TIMEOUT_MS,
    );
  });
  try {
    return (await Promise.race([page.evaluate(expression), deadline])) as T;
  } finally {
    clearTimeout(timer);
  }
}

/** Installed before the app's scripts: when React first rendered, and when the first sidebar row was painted. */
const FIRST_ROW_PROBE = `
  ${PAINTED_HELPER}
  window.__confabFirstRender = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const root = document.getElementById('root');
      if (!root || !root.firstElementChild) return;
      observer.disconnect();
      resolve(performance.now());
    });
    observer.observe(document, { childList: true, subtree: true });
  });
  // Times the first sessions.list on the socket: sent, answered.
  window.__confabList = {};
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const list = window.__confabList;
        if (list.id === undefined || list.answeredAt) return;
        const frame = JSON.parse(String(event.data));
        if (frame.type === 'result' && frame.id === list.id) list.answeredAt = performance.now();
      });
    }
    send(data) {
      const list = window.__confabList;
      if (list.id === undefined) {
        const frame = JSON.parse(String(data));
        if (frame.method === 'sessions.list') Object.assign(list, { id: frame.id, sentAt: performance.now() });
      }
      return super.send(data);
    }
  };
  window.__confabFirstRow = new Promise((resolve) => {
    const start = () => window.__confabPainted('[data-testid="session-item"]').then(resolve);
    if (document.body) start(); else addEventListener('DOMContentLoaded', start);
  });`;

async function seedManySessions(options: BrowserBenchOptions, dir: string): Promise<void> {
  const corpus = defaultCorpusOptions({
    seed: options.seed + 104_729,
    sessions: options.sidebarSessions,
    messages: options.sidebarSessions * 3,
    bigSession: 20,
    nowMs: options.nowMs,
    specials: false,
  });
  const db = await openAppDb(options.paths, dir);
  try {
    await insertBatches(
      batchCorpus(generateSessions(planCorpus(corpus)), 5000),
      (b) => db.call('bulk.insertCorpus', b),
      () => {},
      corpus.messages,
    );
    await db.call('maintenance.analyze', undefined);
  } finally {
    await db.close();
  }
}

async function measureSidebar(browser: Browser, host: RunningHost, runs: number) {
  const fromNavigation: number[] = [];
  const fromAppStart: number[] = [];
  const listRoundTrip: number[] = [];
  const answerToPaint: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const page = await browser.newPage();
    await page.addInitScript(FIRST_ROW_PROBE);
    await page.goto(host.url);
    const [rendered, row, list] = await inPage<[number, number, { sentAt: number; answeredAt: number }]>(
      page,
      'Promise.all([window.__confabFirstRender, window.__confabFirstRow, window.__confabList])',
      'sidebar first row',
    );
    await page.close();
    if (i === 0) continue; // the first load fills the HTTP cache and the DB's buffers
    fromNavigation.push(row);
    fromAppStart.push(row - rendered);
    listRoundTrip.push(list.answeredAt - list.sentAt);
    answerToPaint.push(row - list.answeredAt);
  }
  return {
    fromNavigation: summarize(fromNavigation),
    fromAppStart: summarize(fromAppStart),
    listRoundTrip: summarize(listRoundTrip),
    answerToPaint: summarize(answerToPaint),
  };
}

async function measureOpenBigSession(page: Page, bigSessionId: string, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const ms = await inPage<number>(
      page,
      `(async () => {
      const link = document.querySelector('a[href="#chat/${bigSessionId}"]');
      if (!link) throw new Error('the big session is not in the sidebar');
      const t0 = performance.now();
      link.click();
      const t1 = await window.__confabPainted('[role="tabpanel"] [data-testid="message"]');
      return t1 - t0;
    })()`,
      'open the big session',
    );
    if (i > 0) samples.push(ms);
    if (i < runs) {
      // Closing the tab drops its messages, so the next open reads them again.
      await page.keyboard.press('Control+w');
      await page.waitForSelector('[role="tabpanel"]', { state: 'detached' });
    }
  }
  return samples;
}

/** Scrolls to the top of the open chat again and again, so older pages load; counts DOM rows on the way. */
async function measureScrolling(page: Page, steps: number): Promise<{ maxRows: number; seen: number }> {
  return await inPage<{ maxRows: number; seen: number }>(
    page,
    `(async () => {
    const first = document.querySelector('[role="tabpanel"] [data-testid="message"]');
    let scroller = first && first.parentElement;
    while (scroller && !(scroller.scrollHeight > scroller.clientHeight && /(auto|scroll)/.test(getComputedStyle(scroller).overflowY))) {
      scroller = scroller.parentElement;
    }
    if (!scroller) throw new Error('no scrolling message list found');
    const seen = new Set();
    let maxRows = 0;
    const count = () => {
      const rows = document.querySelectorAll('[role="tabpanel"] [data-testid="message"]');
      maxRows = Math.max(maxRows, rows.length);
      for (const row of rows) seen.add(row.getAttribute('data-message-id') || row.textContent.slice(0, 200));
    };
    for (let i = 0; i < ${steps}; i++) {
      scroller.scrollTop = 0;
      scroller.dispatchEvent(new Event('scroll'));
      await new Promise((r) => setTimeout(r, 120));
      count();
      scroller.scrollTop = scroller.scrollHeight / 2;
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      count();
    }
    return { maxRows, seen: seen.size };
  })()`,
    'scrolling',
  );
}

/** About 1 MB of Markdown-looking text: paragraphs, list items and inline code, no single huge line. */
function hugeReply(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line =
      i % 10 === 0
        ? `## Section ${i / 10}`
        : i % 3 === 0
          ? `- item ${i} with \`code_${i}\` and more words to make a realistic line of text`
          : `Paragraph ${i}: the quick brown fox jumps over the lazy dog while the sync engine merges rows.`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

/** Click to painted for the chat holding the huge reply, watching for long tasks (a frozen window). */
async function measureHugeMessage(page: Page, sessionId: string): Promise<{ openMs: number; longestTaskMs: number }> {
  return await inPage<{ openMs: number; longestTaskMs: number }>(
    page,
    `(async () => {
    const tasks = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(e.duration); });
    observer.observe({ type: 'longtask' });
    const link = document.querySelector('a[href="#chat/${sessionId}"]');
    if (!link) throw new Error('the huge-message chat is not in the sidebar');
    const t0 = performance.now();
    link.click();
    const t1 = await window.__confabPainted('[role="tabpanel"] [data-testid="message"][data-role="assistant"]');
    await new Promise((r) => setTimeout(r, 1000));
    observer.disconnect();
    return { openMs: t1 - t0, longestTaskMs: tasks.length ? Math.max(...tasks) : 0 };
  })()`,
    'the 1 MB reply',
  );
}

/** Words of the corpus vocabulary (scripts/lib/words.ts); the last key completes each one. */
const PALETTE_QUERIES = ['postgres', 'migration', 'replica', 'deadlock', 'compiler', 'sourdough', 'vacuum', 'snapshot'];

async function measurePalette(page: Page, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const q = PALETTE_QUERIES[i % PALETTE_QUERIES.length]!;
    await page.keyboard.press('Control+k');
    const input = page.locator('[cmdk-input]');
    await input.waitFor();
    await input.fill(q.slice(0, -1));
    await page.waitForSelector('[cmdk-list]:not([data-searching])');
    // Arm the probe (the trailing `undefined` keeps evaluate from awaiting the promise it stores),
    // then type the last letter: from that keydown to the frame in which the
    // list shows hits for the whole word and is no longer waiting for an answer.
    await page.evaluate(`window.__confabPaletteDone = new Promise((resolve) => {
      let t0 = 0;
      addEventListener('keydown', () => { t0 = performance.now(); }, { once: true, capture: true });
      const done = () => {
        const input = document.querySelector('[cmdk-input]');
        return t0 > 0 && input && input.value === ${JSON.stringify(q)} &&
          !document.querySelector('[cmdk-list][data-searching]') &&
          document.querySelector('[data-testid="palette-hit"]');
      };
      const observer = new MutationObserver(() => {
        if (!done()) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
      });
      observer.observe(document.body, { childList: true, subtree: true, attributes: true });
    }); undefined`);
    await page.keyboard.press(q.at(-1)!);
    samples.push(await inPage<number>(page, 'window.__confabPaletteDone', `Cmd+K results for "${q}"`));
    await page.keyboard.press('Escape');
    await page.locator('[cmdk-input]').waitFor({ state: 'detached' });
  }
  return samples;
}

export async function browserBench(
  options: BrowserBenchOptions,
  log: (line: string) => void,
): Promise<BrowserBenchResults | null> {
  const executablePath = findChromium();
  if (!executablePath) {
    log('  skipped: no Chromium (set CHROMIUM_PATH or apt-get install chromium)');
    return null;
  }
  const work = mkdtempSync(join(options.tmpBase, 'browser-'));
  const webEntry = join(options.paths.mainDir, 'web.js');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const manyDir = join(work, 'many-sessions');
    log(`  seeding ${options.sidebarSessions.toLocaleString('en-US')} sessions for the sidebar figure`);
    await seedManySessions(options, manyDir);
    log('  sidebar: first row painted, per page load');
    let host = await startHost(manyDir, webEntry);
    let sidebar;
    try {
      sidebar = await measureSidebar(browser, host, options.runs);
    } finally {
      await host.stop();
    }

    // A copy: the big session is pinned so its row is at the top of the sidebar to click.
    const bigDir = join(work, 'big');
    cpSync(options.dataDir, bigDir, { recursive: true });
    const db = await openAppDb(options.paths, bigDir);
    await db.call('sessions.setPinned', { id: options.bigSessionId, pinned: true });
    const huge = hugeReply(HUGE_BYTES);
    const hugeSession = await db.call('sessions.create', { title: 'A 1 MB reply' });
    await db.call('messages.append', { sessionId: hugeSession.id, role: 'user', content: 'Write me a long document.' });
    await db.call('messages.append', { sessionId: hugeSession.id, role: 'assistant', content: huge });
    await db.call('sessions.setPinned', { id: hugeSession.id, pinned: true });
    await db.close();
    host = await startHost(bigDir, webEntry);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.addInitScript(PAINTED_HELPER);
      await page.goto(host.url);
      await page.waitForSelector(`a[href="#chat/${options.bigSessionId}"]`);
      log('  opening the 10k-message session');
      const open = await measureOpenBigSession(page, options.bigSessionId, options.runs);
      log('  scrolling up through it');
      const scrollSteps = 40;
      const scrolling = await measureScrolling(page, scrollSteps);
      await page.keyboard.press('Control+w');
      await page.waitForSelector('[role="tabpanel"]', { state: 'detached' });
      log('  opening the chat with a 1 MB reply');
      const hugeMessage = { bytes: huge.length, ...(await measureHugeMessage(page, hugeSession.id)) };
      log('  Cmd+K');
      await page.keyboard.press('Control+w');
      await page.waitForSelector('[role="tabpanel"]', { state: 'detached' });
      let palette: BrowserBenchResults['palette'] = null;
      let paletteError: string | undefined;
      try {
        const samples = await measurePalette(page, options.runs);
        palette = { ...summarize(samples), queries: samples.length };
      } catch (err) {
        paletteError = err instanceof Error ? err.message.split('\n')[0] : String(err);
      }
      await page.close();
      return {
        chromium: browser.version(),
        sidebar: { sessions: options.sidebarSessions, ...sidebar },
        openBigSession: summarize(open),
        maxMessageRows: scrolling.maxRows,
        scrollSteps,
        messagesSeen: scrolling.seen,
        hugeMessage,
        palette,
        paletteError,
      };
    } finally {
      await host.stop();
    }
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
}
