/**
 * Export delivery in the renderer over the real core, as the web host has it (no save dialog):
 * "Export chat as Markdown" from Cmd+K and the Markdown zip from Settings → Data reach the user as
 * browser downloads holding the chats' text.
 */
import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';

const core = realCoreForTests();
beforeAll(() => {
  // cmdk (the palette) measures its list and scrolls the selected item into view; jsdom has neither.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollIntoView ??= function scrollIntoView() {};
});

let downloads: { name: string; blob: Blob }[] = [];
const blobs = new Map<string, Blob>();
beforeEach(() => {
  downloads = [];
  Object.assign(URL, {
    createObjectURL: (blob: Blob) => {
      const url = `blob:test-${blobs.size}`;
      blobs.set(url, blob);
      return url;
    },
    revokeObjectURL: () => {},
  });
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push({ name: this.download, blob: blobs.get(this.href)! });
  });
});
afterEach(() => vi.restoreAllMocks());

/** jsdom's Blob has no arrayBuffer(); FileReader reads it. */
function blobBytes(blob: Blob): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsArrayBuffer(blob);
  });
}

/**
 * The zip's entries, walked by their local headers (the renderer may not use main's reader; the
 * writer's round trip against that reader is tested in src/main/export/zipWriter.test.ts).
 */
async function unzip(blob: Blob): Promise<Record<string, string>> {
  const bytes = await blobBytes(blob);
  const view = new DataView(bytes.buffer);
  const out: Record<string, string> = {};
  let p = 0;
  while (view.getUint32(p, true) === 0x04034b50) {
    const packedSize = view.getUint32(p + 18, true);
    const nameLength = view.getUint16(p + 26, true);
    const start = p + 30 + nameLength + view.getUint16(p + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 30, p + 30 + nameLength));
    const packed = bytes.slice(start, start + packedSize);
    const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        controller.enqueue(packed);
        controller.close();
      },
    });
    const inflated = source.pipeThrough(new DecompressionStream('deflate-raw'));
    out[name] = await new Response(inflated).text();
    p = start + packedSize;
  }
  return out;
}

describe('export delivery (web host)', () => {
  it('Cmd+K "Export chat as Markdown" downloads the open chat; Settings → Data zips all or the ticked chats', async () => {
    const c = core();
    const alpha = await c.addSession({ title: 'Alpha plans' });
    await c.addMessage(alpha.id, 'user', 'What is the alpha plan?');
    await c.addMessage(alpha.id, 'assistant', 'Ship the walrus first.');
    const beta = await c.addSession({ title: 'Beta notes' });
    await c.addMessage(beta.id, 'user', 'Beta question about otters');

    renderApp(c);
    fireEvent.click(await screen.findByText('Alpha plans', undefined, { timeout: 20_000 }));
    await screen.findByText('Ship the walrus first.', undefined, { timeout: 20_000 });

    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const palette = await screen.findByRole('dialog', { name: 'Command palette' });
    fireEvent.change(within(palette).getByRole('combobox'), { target: { value: 'Export chat as Markdown' } });
    fireEvent.click(await within(palette).findByText('Export chat as Markdown'));
    await waitFor(() => expect(downloads).toHaveLength(1), { timeout: 20_000 });
    expect(downloads[0]!.name).toBe('Alpha-plans.md');
    const markdown = new TextDecoder().decode(await blobBytes(downloads[0]!.blob));
    expect(markdown).toContain('# Alpha plans');
    expect(markdown).toContain('Ship the walrus first.');
    expect(markdown).not.toContain('otters');

    // The sidebar row's menu exports any chat of the list, here one that is not open.
    fireEvent.click(screen.getByRole('button', { name: 'More actions: Beta notes' }));
    const rowMenu = screen.getByRole('menu', { name: 'Actions for Beta notes' });
    fireEvent.click(within(rowMenu).getByRole('menuitem', { name: 'Export as Markdown' }));
    await waitFor(() => expect(downloads).toHaveLength(2), { timeout: 20_000 });
    expect(downloads[1]!.name).toBe('Beta-notes.md');
    const betaMarkdown = new TextDecoder().decode(await blobBytes(downloads.pop()!.blob));
    expect(betaMarkdown).toContain('Beta question about otters');
    expect(betaMarkdown).not.toContain('walrus');

    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const data = within(await screen.findByRole('dialog', { name: 'Settings' })).getByRole('region', { name: 'Data' });
    fireEvent.click(within(data).getByRole('button', { name: 'Export all chats as Markdown' }));
    await waitFor(() => expect(downloads).toHaveLength(2), { timeout: 20_000 });
    expect(downloads[1]!.name).toMatch(/^confab-chats-\d{4}-\d{2}-\d{2}\.zip$/);
    const all = await unzip(downloads[1]!.blob);
    expect(Object.keys(all).sort()).toEqual(['Alpha-plans.md', 'Beta-notes.md']);
    expect(all['Beta-notes.md']).toContain('Beta question about otters');
    expect(await within(data).findByText(/All chats as Markdown: downloaded as confab-chats-/)).toBeTruthy();

    fireEvent.click(within(data).getByText('Choose chats for Markdown'));
    fireEvent.click(within(data).getByLabelText('Beta notes'));
    fireEvent.click(within(data).getByRole('button', { name: 'Export 1 chosen as Markdown' }));
    await waitFor(() => expect(downloads).toHaveLength(3), { timeout: 20_000 });
    expect(Object.keys(await unzip(downloads[2]!.blob))).toEqual(['Beta-notes.md']);
  });
});
