/**
 * Cmd+K results (issue 11 #18, #27): a word of a chat's title puts the chat above the commands
 * that only mention it, and "Show all results" pages past the first 12 message hits.
 */
import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';

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

const palette = () => screen.getByRole('dialog', { name: 'Command palette' });
const input = () => within(palette()).getByRole('combobox');
const type = (text: string) => fireEvent.change(input(), { target: { value: text } });
const options = () => within(palette()).queryAllByRole('option');
const messageHits = () =>
  screen.queryAllByTestId('palette-hit').filter((hit) => hit.querySelector('[data-testid="palette-hit-title"]'));

describe('palette results', () => {
  it(
    'puts chats found by a title word above commands that only mention the open chat',
    { timeout: 60_000 },
    async () => {
      const open = await core().addSession({ title: 'Budget planning' });
      await core().addMessage(open.id, 'user', 'Where does the money go?');
      const other = await core().addSession({ title: 'Groceries' });
      await core().addMessage(other.id, 'user', 'Keep the budget for food under control.');
      await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([open.id]) });
      const { store } = renderApp(core());
      await screen.findByRole('tab', { name: 'Budget planning' });

      fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
      type('budget');
      await waitFor(() => expect(screen.queryAllByTestId('palette-hit')).toHaveLength(2));
      const labels = options().map((o) => o.textContent ?? '');
      // The hits first; Find in chat, Pin chat and Archive chat match only through the title.
      expect(options()[0]!.getAttribute('data-testid')).toBe('palette-hit');
      expect(options()[0]!.getAttribute('aria-selected')).toBe('true');
      // Every option after the hits is a command of the open chat (the list grows as commands are added).
      const kinds = options().map((o) => o.getAttribute('data-testid'));
      const firstCommand = kinds.findIndex((k) => k !== 'palette-hit');
      expect(kinds.slice(0, firstCommand)).toEqual(['palette-hit', 'palette-hit']);
      expect(kinds.slice(firstCommand)).not.toContain('palette-hit');
      expect(labels.slice(firstCommand)).toEqual(
        expect.arrayContaining([expect.stringContaining('Find in chat'), 'Pin chat', 'Archive chat']),
      );

      // Enter opens the first hit instead of running a command on the open chat.
      fireEvent.keyDown(input(), { key: 'Enter' });
      await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Command palette' })).toBeNull());
      expect(store.getState().sessionsById[open.id]?.pinned).toBe(false);
      expect(core().callsTo('sessions.setPinned')).toEqual([]);

      // A command named by what is typed still comes first.
      fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
      type('pin');
      await waitFor(() => expect(options()[0]?.textContent).toBe('Pin chat'));
    },
  );

  it('"Show all results" pages past the first 12 message hits', async () => {
    const s = await core().addSession({ title: 'Zoo log' });
    await core().addChain(
      s.id,
      Array.from({ length: 30 }, (_, i) => ({ role: 'user' as const, content: `Walrus sighting number ${i}.` })),
    );
    renderApp(core());
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    type('walrus');
    await waitFor(() => expect(messageHits()).toHaveLength(12));
    const more = await within(palette()).findByRole('option', { name: 'Show all results' });
    fireEvent.click(more);
    await waitFor(() => expect(messageHits()).toHaveLength(30));
    // All 30, each once, and nothing more to show.
    const values = messageHits().map((h) => h.getAttribute('data-value'));
    expect(new Set(values).size).toBe(30);
    expect(within(palette()).queryByRole('option', { name: /Show (all|more) results/ })).toBeNull();
    expect(core().callsTo('search.query').at(-1)).toMatchObject({ q: 'walrus', offset: 12, limit: 100 });
  });
});
