/**
 * The app shell's speed as a person meets it (issue 11), in Chromium against the web host:
 *
 *  - Cmd+K typed, not pasted: every key about 90 ms after the one before, over varied queries
 *    (quoted phrases, stopwords, non-Latin words), the figure taken from the last key to the
 *    frame that shows that text's answer. Earlier keys' searches may still be running: that is
 *    what a typist meets, and what the one-key bench in browser-bench.ts does not see.
 *  - Sending a message: from the Enter key to the user's bubble painted in the chat.
 *
 * The sidebar's first render with 10,000 chats, split into the first sessions.list and the
 * render after it, is measured in browser-bench.ts (listRoundTrip, answerToPaint).
 *
 * Run on its own (after `npx electron-vite build`):
 *   npx tsx scripts/lib/shell-bench.ts [--messages 20000] [--runs 3] [--data-dir D --no-seed]
 * It prints a table and writes bench/shell-results.json; `npm run bench` runs it after its browser
 * figures, on the bench's corpus.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { builtPaths, type CorePaths } from '../../src/main/core/core';
import { CHROMIUM_ARGS, findChromium } from '../../e2e/fixtures/browser';
import { startHost } from '../../e2e/fixtures/webHost';
import { startFakeLlm } from '../../tests/helpers/fakeLlm';
import { openAppDb } from './app-db';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus } from './corpus';
import { insertBatches } from './insert';
import { summarize, type Summary } from './stats';

/** A person typing: the gap between keys. */
export const KEY_GAP_MS = 90;

/** What people type into Cmd+K, by kind; the words come from the corpus (scripts/lib/words.ts, text.ts). */
export const TYPED_QUERIES: { kind: string; q: string }[] = [
  { kind: 'quoted phrase', q: '"connection pool"' },
  { kind: 'quoted phrase', q: '"train station"' },
  { kind: 'stopword first', q: 'the replication lag' },
  { kind: 'stopword first', q: 'in postgres' },
  { kind: 'question', q: 'how to use data' },
  { kind: 'non-Latin', q: 'запрос' },
  { kind: 'non-Latin', q: '数据库' },
  { kind: 'non-Latin', q: 'データベース' },
  { kind: 'prefix', q: 'sourdo' },
  { kind: 'no hit', q: 'qzxv wobbleton' },
];

export const SHELL_TARGETS = { typedPaletteP95Ms: 50, sendToBubbleP95Ms: 100 };

export interface ShellBenchResults {
  chromium: string;
  keyGapMs: number;
  /** Last key to its answer painted, over every typed query. */
  typedPalette: Summary & { queries: number };
  /** The same, per kind of query (p50 / p95 of its samples). */
  typedPaletteByKind: Record<string, Summary>;
  /** Enter in the composer to the user's message painted. */
  sendToBubble: Summary & { sends: number };
}

export interface ShellBenchOptions {
  paths: CorePaths;
  /** A seeded data dir; it is copied, never changed. */
  dataDir: string;
  tmpBase: string;
  runs: number;
}

/** In-page: resolves with performance.now() in the frame after `done()` first holds. */
const WHEN_PAINTED = `
  window.__shellWhen = (done) => new Promise((resolve) => {
    const finish = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
    if (done()) return finish();
    const observer = new MutationObserver(() => {
      if (!done()) return;
      observer.disconnect();
      finish();
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
  });`;

const STEP_TIMEOUT_MS = 60_000;

async function inPage<T>(page: Page, expression: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([page.evaluate(expression), deadline])) as T;
  } finally {
    clearTimeout(timer);
  }
}

/** Types `q` key by key at KEY_GAP_MS; returns the last key's input → its answer painted. */
async function typeQuery(page: Page, q: string): Promise<number> {
  await page.keyboard.press('Control+k');
  const input = page.locator('[cmdk-input]');
  await input.waitFor();
  const keys = [...q];
  for (const key of keys.slice(0, -1)) {
    await page.keyboard.type(key);
    await page.waitForTimeout(KEY_GAP_MS);
  }
  // Armed now, while the earlier keys' searches may still be in flight.
  await page.evaluate(`window.__shellTyped = (() => {
    let t0 = 0;
    // beforeinput, not keydown: a character off the keyboard's layout (Cyrillic, CJK) is typed
    // as text input with no key events.
    addEventListener('beforeinput', () => { t0 = performance.now(); }, { once: true, capture: true });
    return window.__shellWhen(() => {
      const input = document.querySelector('[cmdk-input]');
      const list = document.querySelector('[cmdk-list]');
      return t0 > 0 && input && input.value === ${JSON.stringify(q)} && list && !list.hasAttribute('data-searching') &&
        (document.querySelector('[data-testid="palette-hit"]') || document.querySelector('[cmdk-empty]'));
    }).then((t1) => t1 - t0);
  })(); undefined`);
  await page.keyboard.type(keys.at(-1)!);
  const ms = await inPage<number>(page, 'window.__shellTyped', `typed Cmd+K "${q}"`);
  await page.keyboard.press('Escape');
  await input.waitFor({ state: 'detached' });
  return ms;
}

async function measureTypedPalette(page: Page, runs: number) {
  const all: number[] = [];
  const byKind = new Map<string, number[]>();
  for (let r = 0; r < runs; r++) {
    for (const { kind, q } of TYPED_QUERIES) {
      const ms = await typeQuery(page, q);
      // The first round warms the caches and the DB's buffers, as in the other browser figures.
      if (r === 0 && runs > 1) continue;
      all.push(ms);
      byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
    }
  }
  return {
    typedPalette: { ...summarize(all), queries: all.length },
    typedPaletteByKind: Object.fromEntries([...byKind].map(([kind, samples]) => [kind, summarize(samples)])),
  };
}

/** Enter → the user's bubble painted, in new chats against a fake OpenAI-compatible server. */
async function measureSendToBubble(page: Page, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    await page.keyboard.press('Control+t');
    const composer = page.getByLabel('Message', { exact: true });
    await composer.waitFor();
    const text = `Bench message ${i}: how long until this shows?`;
    await composer.fill(text);
    await page.evaluate(`window.__shellSent = (() => {
      let t0 = 0;
      addEventListener('keydown', (e) => { if (e.key === 'Enter') t0 = performance.now(); }, { once: true, capture: true });
      return window.__shellWhen(() => t0 > 0 && [...document.querySelectorAll('[role="tabpanel"] [data-testid="message"][data-role="user"]')]
        .some((el) => el.textContent.includes(${JSON.stringify(text)}))).then((t1) => t1 - t0);
    })(); undefined`);
    await composer.press('Enter');
    let ms: number;
    try {
      ms = await inPage<number>(page, 'window.__shellSent', 'send to bubble');
    } catch (err) {
      // Say what the page said (an error toast) rather than only that nothing came.
      const shown = await page.evaluate(
        `[...document.querySelectorAll('[role=alert], [data-testid="message"]')].map((el) => el.textContent).join(' | ')`,
      );
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}; the page shows: ${String(shown).slice(0, 300)}`,
        {
          cause: err,
        },
      );
    }
    if (i > 0) samples.push(ms);
    // Let the reply finish before the next chat, so replies do not pile up.
    await page
      .locator('[role="tabpanel"] [data-testid="message"][data-role="assistant"][data-status="complete"]')
      .waitFor();
  }
  return samples;
}

export async function shellBench(
  options: ShellBenchOptions,
  log: (line: string) => void,
): Promise<ShellBenchResults | null> {
  const executablePath = findChromium();
  if (!executablePath) {
    log('  shell bench skipped: no Chromium');
    return null;
  }
  const work = mkdtempSync(join(options.tmpBase, 'shell-'));
  const dir = join(work, 'data');
  cpSync(options.dataDir, dir, { recursive: true });
  const llm = await startFakeLlm();
  const host = await startHost(dir, join(options.paths.mainDir, 'web.js'));
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(WHEN_PAINTED);
    await page.goto(host.url);
    await page.waitForSelector('[data-testid="session-item"]');
    log(`  Cmd+K typed at ${KEY_GAP_MS} ms a key: ${TYPED_QUERIES.length} queries × ${options.runs}`);
    const typed = await measureTypedPalette(page, options.runs);
    log('  send → bubble');
    await page.evaluate(`(async () => {
      const provider = await window.confab.providers.create({ preset: 'custom', name: 'Bench LLM',
        baseUrl: ${JSON.stringify(llm.openaiBaseUrl)}, defaultModel: 'fake-small' });
      await window.confab.settings.setChat({ defaultProviderId: provider.id, autoTitle: false });
    })()`);
    const sends = await measureSendToBubble(page, options.runs);
    return {
      chromium: browser.version(),
      keyGapMs: KEY_GAP_MS,
      ...typed,
      sendToBubble: { ...summarize(sends), sends: sends.length },
    };
  } finally {
    await browser.close();
    await host.stop();
    await llm.close();
    rmSync(work, { recursive: true, force: true });
  }
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : Math.round(ms).toString());

export function shellReport(r: ShellBenchResults): string {
  const lines = [
    `| Measure | p50 / p95 | Target | OK |`,
    `|---|---|---|---|`,
    `| Cmd+K typed at ${r.keyGapMs} ms a key: last key to its answer painted (${r.typedPalette.queries} queries) | ${fmt(r.typedPalette.p50)} / ${fmt(r.typedPalette.p95)} ms | p95 ≤ ${SHELL_TARGETS.typedPaletteP95Ms} ms | ${r.typedPalette.p95 <= SHELL_TARGETS.typedPaletteP95Ms ? 'pass' : '**miss**'} |`,
    ...Object.entries(r.typedPaletteByKind).map(([kind, s]) => `| … ${kind} | ${fmt(s.p50)} / ${fmt(s.p95)} ms | | |`),
    `| send: Enter to the message on screen (${r.sendToBubble.sends} sends) | ${fmt(r.sendToBubble.p50)} / ${fmt(r.sendToBubble.p95)} ms | p95 ≤ ${SHELL_TARGETS.sendToBubbleP95Ms} ms | ${r.sendToBubble.p95 <= SHELL_TARGETS.sendToBubbleP95Ms ? 'pass' : '**miss**'} |`,
  ];
  return lines.join('\n');
}

export function writeShellResults(out: string, r: ShellBenchResults): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(r, null, 2)}\n`);
}

/** The bench's hook: runs after its browser figures, on its corpus; never fails the bench. */
export async function runShellBench(options: ShellBenchOptions, root: string): Promise<void> {
  console.log('\nShell: Cmd+K typed as a person types, send to bubble');
  try {
    const results = await shellBench(options, (line) => console.log(line));
    if (!results) return;
    const out = join(root, 'bench', 'shell-results.json');
    writeShellResults(out, results);
    console.log(`${shellReport(results)}\nWrote ${out}`);
  } catch (err) {
    console.log(`  shell bench failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** Standalone: seeds a small corpus (or uses --data-dir), runs, prints and writes the figures. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '20000' },
      runs: { type: 'string', default: '3' },
      'data-dir': { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
    },
  });
  const root = resolve(import.meta.dirname, '../..');
  const paths = builtPaths(join(root, 'out/main'));
  const tmpBase = mkdtempSync(join(tmpdir(), 'confab-shell-bench-'));
  try {
    let dataDir = values['data-dir'];
    if (!dataDir || !values['no-seed']) {
      dataDir = dataDir ?? join(tmpBase, 'corpus');
      const messages = Number(values.messages);
      const corpus = defaultCorpusOptions({
        sessions: Math.max(50, Math.round(messages / 50)),
        messages,
        bigSession: 500,
      });
      console.log(`Seeding ${messages.toLocaleString('en-US')} messages`);
      const db = await openAppDb(paths, dataDir);
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
    await runShellBench({ paths, dataDir, tmpBase, runs: Number(values.runs) }, root);
  } finally {
    rmSync(tmpBase, { recursive: true, force: true });
  }
}

// Bundled into out/main/bench.js this module is not the entry; run standalone only as itself.
if (process.argv[1]?.endsWith('shell-bench.ts') && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
