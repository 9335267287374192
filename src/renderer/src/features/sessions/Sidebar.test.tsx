import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';

const core = realCoreForTests();

const sidebar = () => screen.getByRole('navigation', { name: 'Chats' });
const rowTitles = () =>
  within(sidebar())
    .queryAllByTestId('session-item')
    .map((row) => row.querySelector('.session-link__title')?.textContent);

describe('Sidebar', () => {
  it('lists sessions pinned first, then newest activity, with "New chat" for untitled ones', async () => {
    await core().addSession({ title: 'Oldest' });
    await core().addSession({ title: 'Pinned one', pinned: true });
    // Untitled, but with a message: a chat the titler has not named (yet).
    const untitled = await core().addSession({ title: '' });
    await core().addMessage(untitled.id, 'user', 'hello');
    await core().addSession({ title: 'Newest' });
    renderApp(core());

    await waitFor(() => expect(rowTitles()).toHaveLength(4));
    expect(rowTitles()).toEqual(['Pinned one• (pinned)', 'Newest', 'New chat', 'Oldest']);
  });

  it('opens a tab when a session is clicked, and focuses it instead of opening a second one', async () => {
    await core().addSession({ title: 'Alpha' });
    await core().addSession({ title: 'Beta' });
    renderApp(core());

    fireEvent.click(await within(sidebar()).findByText('Alpha'));
    expect((await screen.findByRole('tab', { name: 'Alpha' })).getAttribute('aria-selected')).toBe('true');
    fireEvent.click(within(sidebar()).getByText('Beta'));
    expect((await screen.findByRole('tab', { name: 'Beta' })).getAttribute('aria-selected')).toBe('true');

    fireEvent.click(within(sidebar()).getByText('Alpha'));
    expect(screen.getAllByRole('tab')).toHaveLength(2);
    expect(screen.getByRole('tab', { name: 'Alpha' }).getAttribute('aria-selected')).toBe('true');
    expect(within(sidebar()).getByText('Alpha').closest('a')?.getAttribute('aria-current')).toBe('page');
  });

  it('refreshes on sessions.changed from elsewhere', async () => {
    await core().addSession({ title: 'First' });
    renderApp(core());
    await waitFor(() => expect(rowTitles()).toEqual(['First']));

    // Main announces the new chat with sessions.changed, as it would to another window.
    await core().addSession({ title: 'Made in another window' });
    await waitFor(() => expect(rowTitles()).toEqual(['Made in another window', 'First']));
  });

  it('loads the next page when the end of the list comes into view', async () => {
    await core().addSessions(Array.from({ length: 105 }, (_, i) => `Chat ${i}`));
    const { store } = renderApp(core());
    // 768px of sidebar shows ~14 rows; the list is 100 long, so nothing more is fetched yet.
    await waitFor(() => expect(store.getState().sessionList.ids).toHaveLength(100));
    expect(core().callsTo('sessions.list')).toHaveLength(1);
    expect(rowTitles().length).toBeLessThan(40);

    const list = sidebar().querySelector('.session-list')!;
    list.scrollTop = 100 * 56;
    fireEvent.scroll(list);
    await waitFor(() => expect(store.getState().sessionList.ids).toHaveLength(105));
  });
});
