import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeConfab } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

const sidebar = () => screen.getByRole('navigation', { name: 'Chats' });
const rowTitles = () =>
  within(sidebar())
    .queryAllByTestId('session-item')
    .map((row) => row.querySelector('.session-link__title')?.textContent);

describe('Sidebar', () => {
  it('lists sessions pinned first, then newest activity, with "New chat" for untitled ones', async () => {
    const fake = new FakeConfab();
    fake.addSession({ title: 'Oldest' });
    fake.addSession({ title: 'Pinned one', pinned: true });
    fake.addSession({ title: '' });
    fake.addSession({ title: 'Newest' });
    renderApp(fake);

    await waitFor(() => expect(rowTitles()).toHaveLength(4));
    expect(rowTitles()).toEqual(['Pinned one• (pinned)', 'Newest', 'New chat', 'Oldest']);
  });

  it('opens a tab when a session is clicked, and focuses it instead of opening a second one', async () => {
    const fake = new FakeConfab();
    fake.addSession({ title: 'Alpha' });
    fake.addSession({ title: 'Beta' });
    renderApp(fake);

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
    const fake = new FakeConfab();
    fake.addSession({ title: 'First' });
    renderApp(fake);
    await waitFor(() => expect(rowTitles()).toEqual(['First']));

    const other = fake.addSession({ title: 'Made in another window' });
    fake.emit('sessions.changed', { ids: [other.id], source: 'local' });
    await waitFor(() => expect(rowTitles()).toEqual(['Made in another window', 'First']));
  });

  it('loads the next page when the end of the list comes into view', async () => {
    const fake = new FakeConfab();
    for (let i = 0; i < 105; i++) fake.addSession({ title: `Chat ${i}` });
    const { store } = renderApp(fake);
    // 768px of sidebar shows ~14 rows; the list is 100 long, so nothing more is fetched yet.
    await waitFor(() => expect(store.getState().sessionList.ids).toHaveLength(100));
    expect(fake.callsTo('sessions.list')).toHaveLength(1);
    expect(rowTitles().length).toBeLessThan(40);

    const list = sidebar().querySelector('.session-list')!;
    list.scrollTop = 100 * 56;
    fireEvent.scroll(list);
    await waitFor(() => expect(store.getState().sessionList.ids).toHaveLength(105));
  });
});
