/** Crowded tabs and a small window (issue 11 #26): overflow arrows, the list of all tabs, Cmd/Ctrl+B. */
import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';
import { aSummary, onePage, savedTabs } from '../../test/seed';
import { LAYOUT_UI_KEY } from '../layout/store';

function withTabs(titles: string[]) {
  const chats = titles.map((title) => aSummary({ title, messageCount: 1 }));
  const saved = new Map<string, unknown>([['tabs', savedTabs(chats.map((c) => c.id), chats[0]!.id)]]);
  const api = fakeApi({
    'sessions.list': () => onePage(chats),
    'sessions.get': ({ id }) => chats.find((c) => c.id === id)!,
    'ui.get': ({ key }) => (saved.get(key) ?? null) as never,
    'ui.set': ({ key, value }) => {
      saved.set(key, value);
      return null;
    },
  });
  return { api, saved, chats };
}

describe('tab bar', () => {
  it('lists every open tab, the shown one checked, and shows the one picked', async () => {
    const { api } = withTabs(['Alpha', 'Beta', 'Gamma']);
    renderApp(api);
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(3));
    fireEvent.click(screen.getByRole('button', { name: 'All tabs (3)' }));
    const menu = screen.getByRole('menu', { name: 'Open tabs' });
    const entries = within(menu).getAllByRole('menuitemradio');
    expect(entries.map((e) => [e.textContent, e.getAttribute('aria-checked')])).toEqual([
      ['Alpha', 'true'],
      ['Beta', 'false'],
      ['Gamma', 'false'],
    ]);
    expect(document.activeElement).toBe(entries[0]);
    fireEvent.keyDown(menu, { key: 'End' });
    expect(document.activeElement).toBe(entries[2]);
    fireEvent.click(entries[2]!);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(screen.getByRole('tab', { name: 'Gamma' }).getAttribute('aria-selected')).toBe('true');
  });

  it('shows ‹ and › only while tabs are hidden on that side', async () => {
    const { api } = withTabs(['Alpha', 'Beta', 'Gamma']);
    renderApp(api);
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(3));
    const strip = screen.getByRole('tablist').parentElement!;
    expect(screen.queryByRole('button', { name: 'Scroll tabs right' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Scroll tabs left' })).toBeNull();

    // jsdom has no layout: give the strip more content than room, as many tabs would.
    Object.defineProperty(strip, 'scrollWidth', { configurable: true, value: 3000 });
    fireEvent.scroll(strip);
    expect(await screen.findByRole('button', { name: 'Scroll tabs right' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Scroll tabs left' })).toBeNull();
    strip.scrollLeft = 3000 - 1024;
    fireEvent.scroll(strip);
    expect(await screen.findByRole('button', { name: 'Scroll tabs left' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Scroll tabs right' })).toBeNull();
  });

  it('Ctrl+B hides and shows the sidebar, and the choice is kept', async () => {
    const { api, saved } = withTabs(['Alpha']);
    renderApp(api);
    await screen.findByRole('tab', { name: 'Alpha' });
    expect(screen.getByRole('navigation', { name: 'Chats' })).toBeTruthy();
    fireEvent.keyDown(window, { key: 'b', ctrlKey: true });
    await waitFor(() => expect(screen.queryByRole('navigation', { name: 'Chats' })).toBeNull());
    await waitFor(() => expect(saved.get(LAYOUT_UI_KEY)).toEqual({ sidebarCollapsed: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Show sidebar' }));
    expect(screen.getByRole('navigation', { name: 'Chats' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Hide sidebar' }));
    await waitFor(() => expect(screen.queryByRole('navigation', { name: 'Chats' })).toBeNull());
  });

  it('starts with the sidebar hidden when it was hidden last time', async () => {
    const { api, saved } = withTabs(['Alpha']);
    saved.set(LAYOUT_UI_KEY, { sidebarCollapsed: true });
    renderApp(api);
    await screen.findByRole('button', { name: 'Show sidebar' });
    expect(screen.queryByRole('navigation', { name: 'Chats' })).toBeNull();
  });
});
