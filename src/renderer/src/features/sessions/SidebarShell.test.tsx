/**
 * Issue 11's sidebar items: a right-click only opens the row's menu (9), empty untitled chats do
 * not pile up as rows (6), one Tab stop for the whole list with arrow keys within it (32).
 */
import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../test/fakeApi';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { aSummary, onePage } from '../../test/seed';

const core = realCoreForTests();
const ctrlKey = (key: string) => fireEvent.keyDown(window, { key, ctrlKey: true });

const sidebar = () => screen.getByRole('navigation', { name: 'Chats' });
const rowTitles = () =>
  within(sidebar())
    .queryAllByTestId('session-item')
    .map((row) => row.querySelector('.session-link__title')?.textContent);

describe('sidebar right-click', () => {
  it('opens the menu and nothing else: no tab opens', async () => {
    const chat = aSummary({ title: 'Right me', messageCount: 2 });
    const api = fakeApi({ 'sessions.list': () => onePage([chat]) });
    const { store } = renderApp(api);
    const link = (await within(sidebar()).findByText('Right me')).closest('a')!;

    // What Chromium sends for a right-click: mousedown, mouseup, contextmenu, then auxclick.
    fireEvent.mouseDown(link, { button: 2 });
    fireEvent.mouseUp(link, { button: 2 });
    fireEvent.contextMenu(link, { button: 2 });
    fireEvent(link, new MouseEvent('auxclick', { bubbles: true, cancelable: true, button: 2 }));

    expect(screen.getByRole('menu', { name: 'Actions for Right me' })).toBeTruthy();
    expect(store.getState().workspace.items).toEqual([]);
    expect(screen.queryByRole('tab')).toBeNull();

    // The middle button still opens it, as a click does.
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    fireEvent(link, new MouseEvent('auxclick', { bubbles: true, cancelable: true, button: 1 }));
    await waitFor(() => expect(store.getState().workspace.items).toEqual([{ kind: 'chat', sessionId: chat.id }]));
    expect(rowTitles()).toEqual(['Right me']);
  });
});

describe('blank chats', () => {
  it('get a row once they have a first message; Ctrl+T closed without typing leaves none', async () => {
    await core().addSession({ title: 'Named' });
    const oldBlank = await core().addSession({ title: '' });
    const { store } = renderApp(core());
    await waitFor(() => expect(rowTitles()).toEqual(['Named']));

    // Ctrl+T: the new chat is listed while its tab is the one shown, so it can be named or trashed.
    ctrlKey('t');
    await screen.findByRole('tab', { name: 'New chat' });
    await waitFor(() => expect(rowTitles()).toEqual(['New chat', 'Named']));
    // Closed without typing, twice over: nothing piles up.
    ctrlKey('w');
    await waitFor(() => expect(screen.queryByRole('tab')).toBeNull());
    ctrlKey('t');
    await screen.findByRole('tab', { name: 'New chat' });
    ctrlKey('w');
    await waitFor(() => expect(screen.queryByRole('tab')).toBeNull());
    await waitFor(() => expect(rowTitles()).toEqual(['Named']));
    expect((await core().direct.sessions.list({ view: 'active', limit: 10 })).items).toHaveLength(4);
    // The start view's recent chats skip blanks too.
    expect(
      within(screen.getByRole('main'))
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual(['Named']);

    // A first message makes a blank a chat like any other (main announces it; here, by hand).
    await core().addMessage(oldBlank.id, 'user', 'first words');
    core().emit('sessions.changed', { ids: [oldBlank.id], source: 'local' });
    await waitFor(() => expect(rowTitles()).toEqual(['New chat', 'Named']));
    expect(store.getState().sessionsById[oldBlank.id]?.messageCount).toBe(1);
  });
});

describe('sidebar keyboard', () => {
  it('is one Tab stop; arrow keys, Home and End move between rows', async () => {
    const chats = ['One', 'Two', 'Three'].map((title) => aSummary({ title, messageCount: 1 }));
    renderApp(fakeApi({ 'sessions.list': () => onePage(chats) }));
    await waitFor(() => expect(rowTitles()).toEqual(['One', 'Two', 'Three']));
    const link = (title: string) => within(sidebar()).getByText(title).closest('a')!;
    const tabStops = () =>
      [...sidebar().querySelectorAll<HTMLElement>('.session-list a, .session-list button')].filter(
        (el) => el.tabIndex >= 0,
      );
    // The rows' links and their More buttons: one of them all is in the Tab order.
    expect(tabStops()).toEqual([link('One')]);

    link('One').focus();
    fireEvent.keyDown(link('One'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(link('Two'));
    expect(tabStops()).toEqual([link('Two')]);
    fireEvent.keyDown(link('Two'), { key: 'End' });
    expect(document.activeElement).toBe(link('Three'));
    fireEvent.keyDown(link('Three'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(link('Three'));
    fireEvent.keyDown(link('Three'), { key: 'Home' });
    expect(document.activeElement).toBe(link('One'));
    fireEvent.keyDown(link('One'), { key: 'ArrowUp' });
    expect(document.activeElement).toBe(link('One'));
    expect(tabStops()).toEqual([link('One')]);
  });
});
