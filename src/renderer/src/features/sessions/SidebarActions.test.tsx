import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fakeApi';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { aSummary, onePage } from '../../test/seed';
import { groupOf } from './groups';

const core = realCoreForTests();

const sidebar = () => screen.getByRole('navigation', { name: 'Chats' });
const rowTitles = () =>
  within(sidebar())
    .queryAllByTestId('session-item')
    .map((row) => row.querySelector('.session-link__title')?.textContent);
const headers = () =>
  within(sidebar())
    .queryAllByRole('heading', { level: 3 })
    .map((h) => h.textContent);
/** Picks an action from a row's More menu, the way a mouse user reaches it. */
async function rowAction(title: string, action: string) {
  fireEvent.click(await screen.findByRole('button', { name: `More actions: ${title}` }));
  const menu = screen.getByRole('menu', { name: `Actions for ${title}` });
  fireEvent.click(within(menu).getByRole('menuitem', { name: action }));
}
const localIso = (y: number, m: number, d: number, h = 12) => new Date(y, m, d, h).toISOString();

afterEach(() => {
  vi.useRealTimers();
});

describe('sidebar groups', () => {
  it('buckets by last activity in local time', () => {
    const now = new Date(2026, 10, 20, 9, 30);
    const at = (d: number, h = 12) => ({ pinned: false, lastActivityAt: localIso(2026, 10, d, h) });
    expect(groupOf(at(20, 0), now)).toBe('Today');
    expect(groupOf(at(19, 23), now)).toBe('Yesterday');
    expect(groupOf(at(19, 0), now)).toBe('Yesterday');
    expect(groupOf(at(18, 23), now)).toBe('Previous 7 days');
    expect(groupOf(at(13, 0), now)).toBe('Previous 7 days');
    expect(groupOf(at(12, 23), now)).toBe('Older');
    expect(groupOf({ ...at(1), pinned: true }, now)).toBe('Pinned');
  });

  it('shows headers as non-interactive rows between sessions', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 10, 20, 15, 0));
    // In the server's order: pinned first, then newest activity. The sidebar only groups them.
    const sessions = [
      aSummary({ title: 'Old but pinned', pinned: true, lastActivityAt: localIso(2026, 0, 1) }),
      aSummary({ title: 'This morning', lastActivityAt: localIso(2026, 10, 20, 8) }),
      aSummary({ title: 'Yesterday chat', lastActivityAt: localIso(2026, 10, 19, 22) }),
      aSummary({ title: 'Last week', lastActivityAt: localIso(2026, 10, 16) }),
      aSummary({ title: 'Ancient', lastActivityAt: localIso(2026, 8, 1) }),
    ];
    renderApp(fakeApi({ 'sessions.list': () => onePage(sessions) }));

    await waitFor(() => expect(rowTitles()).toHaveLength(5));
    expect(headers()).toEqual(['Pinned', 'Today', 'Yesterday', 'Previous 7 days', 'Older']);
    const list = within(sidebar()).getByRole('list');
    const order = [...list.children].map((el) => el.textContent?.replace(/• \(pinned\)/gu, '').trim());
    expect(order).toEqual([
      'Pinned',
      'Old but pinned',
      'Today',
      'This morning',
      'Yesterday',
      'Yesterday chat',
      'Previous 7 days',
      'Last week',
      'Older',
      'Ancient',
    ]);
    // Headers are list items too (a list holds only items), but only sessions are numbered.
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    expect(
      within(list)
        .getAllByRole('listitem')
        .filter((i) => i.hasAttribute('aria-posinset')),
    ).toHaveLength(5);
  });
});

describe('sidebar filters', () => {
  it('switches between active, archived and trash, and filters by tag', async () => {
    await core().addSession({ title: 'Live', tags: ['work'] });
    await core().addSession({ title: 'Other', tags: ['home'] });
    await core().addSession({ title: 'Shelved', archived: true });
    await core().addSession({ title: 'Binned', trashed: true });
    renderApp(core());
    await waitFor(() => expect(rowTitles()).toEqual(['Other', 'Live']));

    fireEvent.click(screen.getByRole('button', { name: 'Show archived chats' }));
    await waitFor(() => expect(rowTitles()).toEqual(['Shelved']));
    expect(screen.getByRole('button', { name: 'Show archived chats' }).getAttribute('aria-pressed')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'Show chats in the Trash' }));
    await waitFor(() => expect(rowTitles()).toEqual(['Binned']));

    fireEvent.click(screen.getByRole('button', { name: 'Show active chats' }));
    await waitFor(() => expect(rowTitles()).toEqual(['Other', 'Live']));
    const tagFilter = await screen.findByRole('combobox', { name: 'Filter by tag' });
    fireEvent.change(tagFilter, { target: { value: 'work' } });
    await waitFor(() => expect(rowTitles()).toEqual(['Live']));
    fireEvent.change(tagFilter, { target: { value: '' } });
    await waitFor(() => expect(rowTitles()).toEqual(['Other', 'Live']));
  });
});

describe('sidebar row actions', () => {
  it('renames inline', async () => {
    const s = await core().addSession({ title: 'Draft' });
    renderApp(core());
    await rowAction('Draft', 'Rename');
    const input = screen.getByRole('textbox', { name: 'Chat title' });
    fireEvent.change(input, { target: { value: 'Final name' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(rowTitles()).toEqual(['Final name']));
    expect((await core().direct.sessions.get({ id: s.id })).title).toBe('Final name');

    await rowAction('Final name', 'Rename');
    const again = screen.getByRole('textbox', { name: 'Chat title' });
    fireEvent.change(again, { target: { value: 'Discarded' } });
    fireEvent.keyDown(again, { key: 'Escape' });
    expect(rowTitles()).toEqual(['Final name']);
  });

  it('pins and archives from the context menu, with the keyboard', async () => {
    const a = await core().addSession({ title: 'Alpha' });
    await core().addSession({ title: 'Beta' });
    renderApp(core());
    await waitFor(() => expect(rowTitles()).toEqual(['Beta', 'Alpha']));

    fireEvent.contextMenu(within(sidebar()).getByText('Alpha'));
    const menu = screen.getByRole('menu', { name: 'Actions for Alpha' });
    expect(
      within(menu)
        .getAllByRole('menuitem')
        .map((i) => i.textContent),
    ).toEqual(['Rename', 'Edit tags', 'Pin', 'Archive', 'Export as Markdown', 'Share with team', 'Move to Trash']);
    expect(document.activeElement?.textContent).toBe('Rename');
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toBe('Pin');
    fireEvent.click(document.activeElement!);
    await waitFor(() => expect(rowTitles()).toEqual(['Alpha• (pinned)', 'Beta']));
    expect((await core().direct.sessions.get({ id: a.id })).pinned).toBe(true);
    expect(screen.queryByRole('menu')).toBeNull();

    await rowAction('Alpha', 'Unpin');
    await waitFor(() => expect(rowTitles()).toEqual(['Beta', 'Alpha']));

    await rowAction('Alpha', 'Archive');
    await waitFor(() => expect(rowTitles()).toEqual(['Beta']));
    fireEvent.click(screen.getByRole('button', { name: 'Show archived chats' }));
    await waitFor(() => expect(rowTitles()).toEqual(['Alpha']));
    await rowAction('Alpha', 'Unarchive');
    await waitFor(() => expect(rowTitles()).toEqual([]));
  });

  it('moves to Trash closing the tab, and Undo restores', async () => {
    await core().addSession({ title: 'Keep' });
    const doomed = await core().addSession({ title: 'Doomed' });
    const { store } = renderApp(core());
    fireEvent.click(await within(sidebar()).findByText('Doomed'));
    await screen.findByRole('tab', { name: 'Doomed' });

    await rowAction('Doomed', 'Move to Trash');
    await waitFor(() => expect(rowTitles()).toEqual(['Keep']));
    expect(screen.queryByRole('tab', { name: 'Doomed' })).toBeNull();
    expect((await core().direct.sessions.get({ id: doomed.id })).deletedAt).not.toBeNull();
    const toast = screen.getByRole('status');
    expect(toast.textContent).toContain('Moved “Doomed” to Trash.');

    fireEvent.click(within(toast).getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(rowTitles()).toEqual(['Doomed', 'Keep']));
    expect((await core().direct.sessions.get({ id: doomed.id })).deletedAt).toBeNull();
    expect(store.getState().trashUndo).toBeNull();
  });

  it('restores from the Trash, and deletes forever only after confirming', async () => {
    const back = await core().addSession({ title: 'Comes back', trashed: true });
    const gone = await core().addSession({ title: 'Goes away', trashed: true });
    renderApp(core());
    fireEvent.click(await screen.findByRole('button', { name: 'Show chats in the Trash' }));
    await waitFor(() => expect(rowTitles()).toEqual(['Goes away', 'Comes back']));

    await rowAction('Comes back', 'Restore');
    await waitFor(() => expect(rowTitles()).toEqual(['Goes away']));
    expect((await core().direct.sessions.get({ id: back.id })).deletedAt).toBeNull();

    await rowAction('Goes away', 'Delete forever');
    let dialog = screen.getByRole('alertdialog', { name: 'Delete forever?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect((await core().direct.sessions.get({ id: gone.id })).id).toBe(gone.id);

    await rowAction('Goes away', 'Delete forever');
    dialog = screen.getByRole('alertdialog', { name: 'Delete forever?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete forever' }));
    await waitFor(() => expect(rowTitles()).toEqual([]));
    await expect(core().direct.sessions.get({ id: gone.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('empties the Trash after confirming', async () => {
    await core().addSession({ title: 'Live' });
    await core().addSession({ title: 'T1', trashed: true });
    await core().addSession({ title: 'T2', trashed: true });
    renderApp(core());
    fireEvent.click(await screen.findByRole('button', { name: 'Show chats in the Trash' }));
    await waitFor(() => expect(rowTitles()).toHaveLength(2));

    fireEvent.click(screen.getByRole('button', { name: 'Empty trash' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Empty trash?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Empty trash' }));
    await waitFor(() => expect(within(sidebar()).getByText('Trash is empty.')).toBeTruthy());
    expect((await core().direct.sessions.list({ view: 'trash', limit: 10 })).items).toEqual([]);
    expect((await core().direct.sessions.list({ view: 'active', limit: 10 })).items.map((s) => s.title)).toEqual([
      'Live',
    ]);
  });
});

describe('sidebar keyboard', () => {
  it('F2 renames the focused row and Enter puts focus back on its link', async () => {
    await core().addSession({ title: 'Keyboard' });
    renderApp(core());
    const link = (await within(sidebar()).findByText('Keyboard')).closest('a')!;
    link.focus();
    fireEvent.keyDown(link, { key: 'F2' });
    const input = screen.getByRole('textbox', { name: 'Chat title' });
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: 'Renamed by keys' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(rowTitles()).toEqual(['Renamed by keys']));
    expect(document.activeElement?.getAttribute('data-testid')).toBe('session-item');
  });
});

describe('sidebar context menu', () => {
  it('closes on Escape and gives focus back to the row', async () => {
    await core().addSession({ title: 'Menu me' });
    renderApp(core());
    const link = (await within(sidebar()).findByText('Menu me')).closest('a')!;
    link.focus();
    fireEvent.contextMenu(link);
    const menu = screen.getByRole('menu', { name: 'Actions for Menu me' });
    fireEvent.keyDown(menu, { key: 'End' });
    expect(document.activeElement?.textContent).toBe('Move to Trash');
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(link);
  });
});

describe('sidebar tags', () => {
  it('edits tags inline and offers them in the tag filter', async () => {
    const s = await core().addSession({ title: 'Taggable' });
    await core().addSession({ title: 'Untagged' });
    renderApp(core());
    await rowAction('Taggable', 'Edit tags');
    const input = screen.getByRole('textbox', { name: 'Tags, separated by commas' });
    fireEvent.change(input, { target: { value: 'work,  ideas , work,' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(core().callsTo('sessions.update')).toEqual([{ id: s.id, tags: ['work', 'ideas'] }]));
    // Main keeps tags sorted.
    expect((await core().direct.sessions.get({ id: s.id })).tags).toEqual(['ideas', 'work']);

    const filter = await screen.findByRole('combobox', { name: 'Filter by tag' });
    await waitFor(() =>
      expect(
        within(filter)
          .getAllByRole('option')
          .map((o) => o.textContent),
      ).toEqual(['All tags', 'ideas (1)', 'work (1)']),
    );
    fireEvent.change(filter, { target: { value: 'ideas' } });
    await waitFor(() => expect(rowTitles()).toEqual(['Taggable']));
  });
});

describe('sidebar list semantics', () => {
  it('numbers session rows without counting headers', async () => {
    await core().addSession({ title: 'One', pinned: true });
    await core().addSession({ title: 'Two' });
    renderApp(core());
    await waitFor(() => expect(rowTitles()).toHaveLength(2));
    const items = within(sidebar())
      .getAllByRole('listitem')
      .filter((i) => !i.querySelector('h3'));
    expect(items.map((i) => [i.getAttribute('aria-posinset'), i.getAttribute('aria-setsize')])).toEqual([
      ['1', '2'],
      ['2', '2'],
    ]);
  });
});
