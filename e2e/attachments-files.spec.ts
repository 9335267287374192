/**
 * Attachments in Chromium through the web host: attach an image and a PDF with the Attach button,
 * send, and see them in the request the model server received and on the message; open them in
 * the viewer. Hostile SVG and HTML files are shown as text only: nothing in them runs.
 */
import type { Page } from 'playwright/test';
import { startFakeLlm, type FakeLlm } from '../tests/helpers/fakeLlm';
import { makePdf, makePng } from '../tests/helpers/files';
import { expect, test } from './fixtures/test';

let llm: FakeLlm;

test.beforeEach(async () => {
  // Uploading, reading files and sending twice is a long test on a loaded 2-core machine.
  test.slow();
  llm = await startFakeLlm();
});

test.afterEach(async () => {
  await llm.close();
});

/** The fake server as an OpenAI-compatible provider whose default model reads images. */
async function addVisionProvider(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('button', { name: 'Add a provider' }).click();
  await dialog.getByLabel('Type', { exact: true }).selectOption('custom');
  await dialog.getByLabel('Name', { exact: true }).fill('Fake vision');
  await dialog.getByLabel('Base URL', { exact: true }).fill(llm.openaiBaseUrl);
  await dialog.getByLabel('API key', { exact: true }).fill('sk-e2e-attachments-0123456789');
  await dialog.getByLabel('Default model', { exact: true }).fill('gpt-4o-mini');
  await dialog.getByRole('button', { name: 'Add provider' }).click();
  await expect(dialog.getByRole('form', { name: 'Add a provider' })).toBeHidden();
  await dialog.getByLabel(/Name new chats automatically/).uncheck();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}

async function attach(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  await page.getByTestId('attach-input').setInputFiles(files);
  const drafts = page.getByTestId('draft-file');
  await expect(drafts).toHaveCount(files.length);
  for (let i = 0; i < files.length; i++) await expect(drafts.nth(i)).toHaveAttribute('data-ready', 'true');
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  await expect(page.getByTestId('draft-file')).toHaveCount(0);
}

test('an image and a PDF go to the model and show on the message', async ({ page, host }) => {
  await page.goto(host.url);
  await addVisionProvider(page);
  await page.getByLabel('New chat').first().click();
  const png = makePng(64, 40, [20, 120, 220]);
  const pdf = makePdf([['Migration of the grey herons'], ['Appendix: 17 nests counted']]);
  await attach(page, [
    { name: 'screenshot.png', mimeType: 'image/png', buffer: png },
    { name: 'herons.pdf', mimeType: 'application/pdf', buffer: pdf },
  ]);
  llm.enqueue({ kind: 'text', chunks: ['A blue rectangle and a heron report.'] });
  await send(page, 'What are these?');
  const reply = page.locator('[data-testid="message"][data-role="assistant"]');
  await expect(reply).toContainText('A blue rectangle and a heron report.');

  const user = llm.lastRequest()!.body!.messages!.at(-1)!;
  const parts = user.content as { type: string; text?: string; image_url?: { url: string } }[];
  expect(parts[0]!.type).toBe('text');
  expect(parts[0]!.text).toContain('What are these?');
  expect(parts[0]!.text).toContain('[Attached file: herons.pdf]');
  expect(parts[0]!.text).toContain('Appendix: 17 nests counted');
  expect(parts[1]).toEqual({
    type: 'image_url',
    image_url: { url: `data:image/png;base64,${png.toString('base64')}` },
  });

  const chips = page.locator('[data-testid="message"][data-role="user"]').getByTestId('attachment-chip');
  await expect(chips).toHaveCount(2);
  // The chip shows a thumbnail made in the image worker, not the file.
  await expect(chips.nth(0).locator('img')).toHaveAttribute('src', /^data:image\/webp;base64,/);
  await chips.nth(1).click();
  const viewer = page.getByTestId('attachment-viewer');
  await expect(viewer.getByTestId('attachment-text')).toContainText('Migration of the grey herons');
  await page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
});

test('thumbnails are made in a worker, not on the page’s main thread, and the viewer shows the full image', async ({
  page,
  host,
}) => {
  // Counts image work on the page's main thread only: init scripts do not run in workers.
  await page.addInitScript(() => {
    const g = globalThis as unknown as Record<string, unknown> & { __mainThreadImageWork: string[] };
    g.__mainThreadImageWork = [];
    const note = (what: string) => g.__mainThreadImageWork.push(what);
    const original = globalThis.createImageBitmap.bind(globalThis);
    globalThis.createImageBitmap = ((...args: Parameters<typeof createImageBitmap>) => {
      note('createImageBitmap');
      return original(...args);
    }) as typeof createImageBitmap;
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (
      this: HTMLCanvasElement,
      ...args: Parameters<typeof getContext>
    ) {
      note('canvas');
      return getContext.apply(this, args);
    } as typeof getContext;
    const Offscreen = globalThis.OffscreenCanvas;
    globalThis.OffscreenCanvas = class extends Offscreen {
      constructor(width: number, height: number) {
        super(width, height);
        note('OffscreenCanvas');
      }
    };
  });
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.goto(host.url);
  await addVisionProvider(page);
  await page.getByLabel('New chat').first().click();
  // A large photo-sized image: 1600×1200 pixels.
  const png = makePng(1600, 1200, [240, 160, 20]);
  await attach(page, [{ name: 'photo.png', mimeType: 'image/png', buffer: png }]);
  llm.enqueue({ kind: 'text', chunks: ['An orange picture.'] });
  await send(page, 'Look at this');
  const chip = page.locator('[data-testid="message"][data-role="user"]').getByTestId('attachment-chip');
  const thumb = chip.getByTestId('attachment-thumbnail');
  await expect(thumb).toHaveAttribute('src', /^data:image\/webp;base64,/);
  const src = (await thumb.getAttribute('src'))!;
  // A thumbnail, not the file: 96 pixels on its longer side, a few hundred bytes here.
  const size = await page.evaluate(async (url) => {
    const image = new Image();
    image.src = url;
    await image.decode();
    return { width: image.naturalWidth, height: image.naturalHeight };
  }, src);
  expect(size).toEqual({ width: 96, height: 72 });
  expect(src.length).toBeLessThan(png.length);
  expect(workers.some((url) => /imageWorker/.test(url))).toBe(true);

  await chip.click();
  const full = page.getByTestId('attachment-viewer').locator('img');
  await expect(full).toHaveAttribute('src', /^data:image\/png;base64,/);
  expect(await full.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBe(1600);
  // The check above decoded on the main thread on purpose (image.decode is not counted); the
  // app itself did no image work there.
  expect(
    await page.evaluate(() => (globalThis as unknown as { __mainThreadImageWork: string[] }).__mainThreadImageWork),
  ).toEqual([]);
});

test('SVG and HTML files are shown as text and never run', async ({ page, host }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript(() => {
    (globalThis as unknown as { __xss: number }).__xss = 0;
  });
  await page.goto(host.url);
  await addVisionProvider(page);
  await page.getByLabel('New chat').first().click();
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=(window.__xss||0)+1;alert(1)"><script>window.__xss=1</script><circle r="5"/></svg>';
  const html =
    '<!DOCTYPE html><html><body><img src=x onerror="window.__xss=1;alert(2)"><script>alert(3)</script></body></html>';
  await attach(page, [
    { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) },
    { name: 'page.html', mimeType: 'text/html', buffer: Buffer.from(html) },
  ]);
  llm.enqueue({ kind: 'text', chunks: ['Seen.'] });
  await send(page, 'Two files');
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toContainText('Seen.');
  const chips = page.locator('[data-testid="message"][data-role="user"]').getByTestId('attachment-chip');
  await expect(chips).toHaveCount(2);
  await expect(chips.nth(0)).toHaveAttribute('data-media-type', 'image/svg+xml');
  await expect(chips.nth(1)).toHaveAttribute('data-media-type', 'text/html');
  for (const [i, source] of [svg, html].entries()) {
    await chips.nth(i).click();
    const viewer = page.getByTestId('attachment-viewer');
    await expect(viewer.getByTestId('attachment-text')).toHaveText(source);
    expect(await viewer.locator('svg, iframe, object, embed, script, img').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect(viewer).toBeHidden();
  }
  expect(await page.evaluate(() => (globalThis as unknown as { __xss: number }).__xss)).toBe(0);
  expect(dialogs).toEqual([]);
  // The chips' own icons are SVG; nothing from the files is: no circle, script or frame.
  const fromFiles = page.locator(
    '.message-attachments circle, .message-attachments script, .message-attachments iframe',
  );
  expect(await fromFiles.count()).toBe(0);
});
