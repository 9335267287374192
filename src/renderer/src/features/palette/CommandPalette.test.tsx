import '../../test/setup';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TABS_UI_KEY, USAGE_TAB } from '../workspace/store';
import { THEME_UI_KEY } from '../../app/ui';
import { FakeConfab } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

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

function setup(build: (fake: FakeConfab) => { open?: string[]; active?: string } = () => ({})) {
  const fake = new FakeConfab();
  const tabs = build(fake);
  if (tabs.open) fake.uiState.set(TABS_UI_KEY, { open: tabs.open, active: tabs.active ?? tabs.open[0] });
  return renderApp(fake);
}

describe('command palette', () => {
  it('opens with Ctrl+K, focuses its input, closes with Esc and gives focus back', async () => {
    setup((fake) => {
      const s = fake.addSession({ title: 'Open chat' });
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
    const { fake } = setup((fake) => {
      const a = fake.addSession({ title: 'Walrus facts' });
      fake.addMessage(a.id, 'user', 'Tell me about the walrus and its tusks.');
      const b = fake.addSession({ title: 'Zoo trip' });
      fake.addMessage(b.id, 'assistant', 'A <img src=x onerror="window.pwned=1"> walrus was asleep.');
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
    expect(palette()!.textContent).toContain('<img src=x');
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    expect(fake.callsTo('search.query').at(-1)).toEqual({ q: 'walrus', view: 'all', limit: 12 });
  });

  it('passes in: and role: filters to the search, and shows them', async () => {
    const { fake } = setup((fake) => {
      const active = fake.addSession({ title: 'Active' });
      fake.addMessage(active.id, 'user', 'narwhal in an active chat');
      const archived = fake.addSession({ title: 'Old', status: 'archived' });
      fake.addMessage(archived.id, 'user', 'narwhal question, archived');
      fake.addMessage(archived.id, 'assistant', 'narwhal answer, archived');
      return {};
    });
    ctrl('k');
    type('in:archived narwhal');
    await waitFor(() => expect(hits()).toHaveLength(2));
    expect(hits().every((h) => h.textContent?.includes('Archived'))).toBe(true);
    expect(within(palette()!).getByText('in:archived')).toBeTruthy();
    expect(fake.callsTo('search.query').at(-1)).toEqual({ q: 'narwhal', view: 'archived', limit: 12 });

    type('in:archived narwhal role:assistant');
    await waitFor(() => expect(hits()).toHaveLength(1));
    expect(hits()[0]!.textContent).toContain('narwhal answer');
    expect(fake.callsTo('search.query').at(-1)).toEqual({
      q: 'narwhal',
      view: 'archived',
      role: 'assistant',
      limit: 12,
    });
    // With a filter only searches are listed, not commands.
    expect(within(palette()!).queryByText('Toggle theme')).toBeNull();
  });

  it('runs one search at a time: newer text waits for it, and its stale answer is not shown', async () => {
    const { fake } = setup((fake) => {
      const s = fake.addSession({ title: 'Words' });
      fake.addMessage(s.id, 'user', 'walnut');
      fake.addMessage(s.id, 'user', 'walrus');
      return {};
    });
    ctrl('k');
    const releaseFirst = fake.holdNext('search.query');
    type('wal');
    await waitFor(() => expect(fake.callsTo('search.query')).toHaveLength(1));
    type('walr');
    type('walrus');
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    // Nothing piles up behind the running search: only the newest text is waiting.
    expect(fake.callsTo('search.query')).toHaveLength(1);
    await act(async () => {
      releaseFirst();
      await new Promise((r) => setTimeout(r, 20));
    });
    await waitFor(() => expect(hits().map((h) => h.textContent)).toEqual([expect.stringContaining('walrus')]));
    // "wal" would have found both; its answer arrived after the text changed and was dropped.
    expect(fake.callsTo('search.query').map((c) => (c as { q: string }).q)).toEqual(['wal', 'walrus']);
  });

  it('Enter on a message opens its chat on the message’s branch and marks it', async () => {
    const { fake, store } = setup((fake) => {
      const other = fake.addSession({ title: 'Other' });
      const s = fake.addSession({ title: 'Branched' });
      const q = fake.addMessage(s.id, 'user', 'first question');
      fake.addMessage(s.id, 'assistant', 'the hidden platypus answer');
      // A regenerated answer made the current branch.
      fake.addMessage(s.id, 'assistant', 'a newer answer', { parentId: q.id });
      return { open: [other.id] };
    });
    const target = [...fake.messages.values()].find((m) => m.content.includes('platypus'))!;
    ctrl('k');
    type('platypus');
    await waitFor(() => expect(hits()).toHaveLength(1));
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(palette()).toBeNull();

    await waitFor(() => expect(store.getState().tabs.active).toBe(target.sessionId));
    const row = await waitFor(() => {
      const el = document.querySelector<HTMLElement>(`[data-message-id="${target.id}"]`);
      expect(el).not.toBeNull();
      return el!;
    });
    expect(row.dataset.highlighted).toBe('true');
    expect(row.getAttribute('aria-current')).toBe('true');
    // The chat now shows that branch, and its switcher says which version it is.
    expect(fake.sessions.get(target.sessionId)!.currentLeafId).toBe(target.id);
    expect(within(row).getByRole('group', { name: 'Version 1 of 2' })).toBeTruthy();
    expect(store.getState().tabs.open).toContain(target.sessionId);
  });

  it('Enter picks the first row of results that replaced earlier ones, and arrows move', async () => {
    const { store } = setup((fake) => {
      const a = fake.addSession({ title: 'Alpha' });
      fake.addMessage(a.id, 'user', 'gecko one');
      const b = fake.addSession({ title: 'Beta' });
      fake.addMessage(b.id, 'user', 'gecko two');
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
    await waitFor(() => expect(store.getState().tabs.active).not.toBeNull());
    expect(store.getState().sessionsById[store.getState().tabs.active!]?.title).toBe(keep === 'one' ? 'Alpha' : 'Beta');
  });

  it('opens an archived chat found by search with its title, and shows the Trash for a trashed one', async () => {
    const { store } = setup((fake) => {
      const archived = fake.addSession({ title: 'Filed away', status: 'archived' });
      fake.addMessage(archived.id, 'user', 'an axolotl in the archive');
      const trashed = fake.addSession({ title: 'Thrown out', deletedAt: '2026-11-01T00:00:00.000Z' });
      fake.addMessage(trashed.id, 'user', 'an axolotl in the trash');
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
    const { fake, store } = setup((fake) => {
      sessionId = fake.addSession({ title: 'Current' }).id;
      return { open: [sessionId] };
    });
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
    await waitFor(() => expect(fake.uiState.get(THEME_UI_KEY)).toBe(expected));
    await run('Toggle theme');
    expect(document.documentElement.dataset.theme).toBe(dark ? 'dark' : 'light');

    await run('Pin chat');
    await waitFor(() => expect(fake.sessions.get(sessionId)!.pinned).toBe(true));
    await waitFor(() => expect(store.getState().sessionsById[sessionId]?.pinned).toBe(true));
    ctrl('k');
    type('pin');
    expect(await within(palette()!).findByText('Unpin chat')).toBeTruthy();
    fireEvent.keyDown(input(), { key: 'Escape' });

    await run('Archive chat');
    await waitFor(() => expect(fake.sessions.get(sessionId)!.status).toBe('archived'));

    await run('Usage dashboard');
    expect(store.getState().tabs.active).toBe(USAGE_TAB);
    expect(store.getState().tabs.open).toContain(USAGE_TAB);

    await run('Settings');
    expect(await screen.findByRole('dialog', { name: 'Settings' })).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('dialog', { name: 'Settings' }), { key: 'Escape' });

    const before = fake.sessions.size;
    await run('New chat');
    await waitFor(() => expect(fake.sessions.size).toBe(before + 1));
  });

  it('restores a saved theme at startup', async () => {
    setup((fake) => {
      fake.uiState.set(THEME_UI_KEY, 'dark');
      return {};
    });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });
});
