import '../../test/setup';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { viewItem } from '../../app/workspace/items';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests, type RealCore } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';
import { THEME_UI_KEY } from '../theme/store';
import { activeChatId, activeItem } from '../workspace/store';

/** Searches run main's real search (ranking, stemming, prefixes) over what each test writes. */
const core = realCoreForTests();

beforeAll(() => {
  // cmdk measures its list and scrolls the selected item into view; jsdom has neither.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollIntoView ??= function scrollIntoView() {};
});

beforeEach(() => {
  document.documentElement.removeAttribute('data-theme');
});

const ctrl = (key: string, target: Element | Window = window) => fireEvent.keyDown(target, { key, ctrlKey: true });
const palette = () => screen.queryByRole('dialog', { name: 'Command palette' });
const input = () => within(palette()!).getByRole('combobox');
const hits = () => screen.queryAllByTestId('palette-hit');
const type = (text: string) => fireEvent.change(input(), { target: { value: text } });

async function setup(build: (core: RealCore) => Promise<{ open?: string[] }> = async () => ({})) {
  const tabs = await build(core());
  if (tabs.open) await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs(tabs.open, tabs.open[0]) });
  return renderApp(core());
}

describe('command palette', () => {
  it('opens with Ctrl+K, focuses its input, closes with Esc and gives focus back', async () => {
    await setup(async (c) => {
      const s = await c.addSession({ title: 'Open chat' });
      return { open: [s.id] };
    });
    const composer = await screen.findByRole('textbox', { name: 'Message' });
    composer.focus();
    ctrl('k', composer);
    expect(palette()).not.toBeNull();
    expect(document.activeElement).toBe(input());
    fireEvent.keyDown(input(), { key: 'Escape' });
    expect(palette()).toBeNull();
    expect(document.activeElement).toBe(composer);
    // Ctrl+K toggles: twice is closed again.
    ctrl('k');
    ctrl('k');
    expect(palette()).toBeNull();
  });

  it('searches titles and messages as you type, with the hits marked as text, the chat title and the date', async () => {
    await setup(async (c) => {
      const a = await c.addSession({ title: 'Walrus facts' });
      await c.addMessage(a.id, 'user', 'Tell me about the walrus and its tusks.');
      const b = await c.addSession({ title: 'Zoo trip' });
      await c.addMessage(b.id, 'assistant', 'A <img src=x onerror="window.pwned=1"> walrus was asleep.');
      return {};
    });
    ctrl('k');
    type('walrus');
    await waitFor(() => expect(hits()).toHaveLength(3));
    const [title, ...messages] = hits();
    expect(title!.querySelector('mark')?.textContent).toBe('Walrus');
    expect(title!.textContent).toContain('Chat');
    const texts = messages.map((h) => h.textContent ?? '');
    expect(texts.some((t) => t.includes('Walrus facts') && t.includes('You'))).toBe(true);
    expect(texts.some((t) => t.includes('Zoo trip') && t.includes('Assistant'))).toBe(true);
    for (const hit of messages) {
      expect(hit.querySelector('mark')?.textContent?.toLowerCase()).toBe('walrus');
      expect(hit.querySelector('time')?.textContent).toMatch(/\S/);
    }
    // Message text is shown as text, never as HTML.
    expect(palette()!.querySelector('img')).toBeNull();
    expect(palette()!.innerHTML).not.toMatch(/<img/i);
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    expect(core().callsTo('search.query').at(-1)).toEqual({ q: 'walrus', view: 'all', limit: 12 });
  });

  it('passes in: and role: filters to the search, and shows them', async () => {
    await setup(async (c) => {
      const active = await c.addSession({ title: 'Active' });
      await c.addMessage(active.id, 'user', 'narwhal in an active chat');
      const archived = await c.addSession({ title: 'Old', archived: true });
      await c.addMessage(archived.id, 'user', 'narwhal question, archived');
      await c.addMessage(archived.id, 'assistant', 'narwhal answer, archived');
      return {};
    });
    ctrl('k');
    type('in:archived narwhal');
    await waitFor(() => expect(hits()).toHaveLength(2));
    expect(hits().every((h) => h.textContent?.includes('Archived'))).toBe(true);
    expect(within(palette()!).getByText('in:archived')).toBeTruthy();
    expect(core().callsTo('search.query').at(-1)).toEqual({ q: 'narwhal', view: 'archived', limit: 12 });

    type('in:archived narwhal role:assistant');
    await waitFor(() => expect(hits()).toHaveLength(1));
    expect(hits()[0]!.textContent).toContain('narwhal answer');
    expect(core().callsTo('search.query').at(-1)).toEqual({
      q: 'narwhal',
      view: 'archived',
      role: 'assistant',
      limit: 12,
    });
    // With a filter only searches are listed, not commands.
    expect(within(palette()!).queryByText('Toggle theme')).toBeNull();
  });

  it('runs one search at a time: newer text waits for it, and its stale answer is not shown', async () => {
    await setup(async (c) => {
      const s = await c.addSession({ title: 'Words' });
      await c.addMessage(s.id, 'user', 'walnut');
      await c.addMessage(s.id, 'user', 'walrus');
      return {};
    });
    ctrl('k');
    const releaseFirst = core().holdNext('search.query');
    type('wal');
    await waitFor(() => expect(core().callsTo('search.query')).toHaveLength(1));
    type('walr');
    type('walrus');
    // Nothing piles up behind the running search: only the newest text is waiting.
    expect(core().callsTo('search.query')).toHaveLength(1);
    await act(async () => releaseFirst());
    await waitFor(() => expect(hits().map((h) => h.textContent)).toEqual([expect.stringContaining('walrus')]));
    // "wal" would have found both; its answer arrived after the text changed and was dropped,
    // and "walr" was replaced by "walrus" while it waited.
    expect(
      core()
        .callsTo('search.query')
        .map((c) => c.q),
    ).toEqual(['wal', 'walrus']);
  });

  it('Enter on a message opens its chat on the message’s branch and marks it', async () => {
    let target!: { id: string; sessionId: string };
    const { store } = await setup(async (c) => {
      const other = await c.addSession({ title: 'Other' });
      const s = await c.addSession({ title: 'Branched' });
      const q = await c.addMessage(s.id, 'user', 'first question');
      target = await c.addMessage(s.id, 'assistant', 'the hidden platypus answer');
      // A regenerated answer made the current branch.
      await c.addMessage(s.id, 'assistant', 'a newer answer', { parentId: q.id });
      return { open: [other.id] };
    });
    ctrl('k');
    type('platypus');
    await waitFor(() => expect(hits()).toHaveLength(1));
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(palette()).toBeNull();

    await waitFor(() => expect(activeChatId(store.getState())).toBe(target.sessionId));
    const row = await waitFor(() => {
      const el = document.querySelector<HTMLElement>(`[data-message-id="${target.id}"]`);
      expect(el).not.toBeNull();
      return el!;
    });
    expect(row.dataset.highlighted).toBe('true');
    expect(row.getAttribute('aria-current')).toBe('true');
    // The chat now shows that branch, and its switcher says which version it is.
    expect((await core().direct.sessions.get({ id: target.sessionId })).currentLeafId).toBe(target.id);
    expect(within(row).getByRole('group', { name: 'Version 1 of 2' })).toBeTruthy();
  });

  it('Enter picks the first row of results that replaced earlier ones, and arrows move', async () => {
    const { store } = await setup(async (c) => {
      const a = await c.addSession({ title: 'Alpha' });
      await c.addMessage(a.id, 'user', 'gecko one');
      const b = await c.addSession({ title: 'Beta' });
      await c.addMessage(b.id, 'user', 'gecko two');
      return {};
    });
    ctrl('k');
    type('gecko');
    await waitFor(() => expect(hits()).toHaveLength(2));
    expect(hits()[0]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(input(), { key: 'ArrowDown' });
    expect(hits()[1]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(input(), { key: 'ArrowDown' });
    expect(hits()[0]!.getAttribute('aria-selected')).toBe('true');
    // The selected row (the newest, Beta's) goes away with the next answer: the first shown row
    // is selected instead, so Enter acts on what is on screen.
    const keep = hits()[0]!.textContent!.includes('Beta') ? 'one' : 'two';
    type(`gecko ${keep}`);
    await waitFor(() => expect(hits()).toHaveLength(1));
    expect(hits()[0]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(activeChatId(store.getState())).not.toBeNull());
    const opened = activeChatId(store.getState())!;
    await waitFor(() => expect(store.getState().sessionsById[opened]?.title).toBe(keep === 'one' ? 'Alpha' : 'Beta'));
  });

  it('opens an archived chat found by search with its title, and shows the Trash for a trashed one', async () => {
    const { store } = await setup(async (c) => {
      const archived = await c.addSession({ title: 'Filed away' });
      await c.addMessage(archived.id, 'user', 'an axolotl in the archive');
      await c.direct.sessions.setArchived({ id: archived.id, archived: true });
      const trashed = await c.addSession({ title: 'Thrown out' });
      await c.addMessage(trashed.id, 'user', 'an axolotl in the trash');
      await c.direct.sessions.trash({ id: trashed.id });
      return {};
    });
    ctrl('k');
    type('in:archived axolotl');
    await waitFor(() => expect(hits()).toHaveLength(1));
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(await screen.findByRole('tab', { name: 'Filed away' })).toBeTruthy();

    ctrl('k');
    type('in:trash axolotl');
    await waitFor(() => expect(hits()).toHaveLength(1));
    expect(hits()[0]!.textContent).toContain('Trash');
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(store.getState().sessionView).toBe('trash'));
    expect(screen.queryByRole('tab', { name: 'Thrown out' })).toBeNull();
  });

  it('runs commands: theme, pin, archive, settings, usage and new chat', async () => {
    let sessionId = '';
    const { store } = await setup(async (c) => {
      sessionId = (await c.addSession({ title: 'Current' })).id;
      return { open: [sessionId] };
    });
    const chat = () => core().direct.sessions.get({ id: sessionId });
    await screen.findByRole('textbox', { name: 'Message' });
    const run = async (label: string) => {
      ctrl('k');
      type(label);
      const item = await within(palette()!).findByText(label);
      fireEvent.click(item);
      expect(palette()).toBeNull();
    };

    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
    await run('Toggle theme');
    const expected = dark ? 'light' : 'dark';
    expect(document.documentElement.dataset.theme).toBe(expected);
    await waitFor(async () => expect(await core().direct.ui.get({ key: THEME_UI_KEY })).toBe(expected));
    await run('Toggle theme');
    expect(document.documentElement.dataset.theme).toBe(dark ? 'dark' : 'light');

    await run('Pin chat');
    await waitFor(async () => expect((await chat()).pinned).toBe(true));
    await waitFor(() => expect(store.getState().sessionsById[sessionId]?.pinned).toBe(true));
    ctrl('k');
    type('pin');
    expect(await within(palette()!).findByText('Unpin chat')).toBeTruthy();
    fireEvent.keyDown(input(), { key: 'Escape' });

    await run('Archive chat');
    await waitFor(async () => expect((await chat()).status).toBe('archived'));

    await run('Usage dashboard');
    expect(activeItem(store.getState())).toEqual(viewItem('usage'));

    await run('Settings');
    expect(await screen.findByRole('dialog', { name: 'Settings' })).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('dialog', { name: 'Settings' }), { key: 'Escape' });

    const count = async () => (await core().direct.sessions.list({ view: 'active', limit: 10 })).items.length;
    const before = await count();
    await run('New chat');
    await waitFor(async () => expect(await count()).toBe(before + 1));
  });

  it('restores a saved theme at startup', async () => {
    await setup(async (c) => {
      await c.direct.ui.set({ key: THEME_UI_KEY, value: 'dark' });
      return {};
    });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });
});
