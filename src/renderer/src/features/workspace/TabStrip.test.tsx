import '../../test/setup';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from './store';
import { FakeConfab } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

const newChatButton = () => screen.getByRole('button', { name: 'New chat' });

describe('Tabs', () => {
  it('creating a chat opens a selected tab and focuses the composer', async () => {
    const { fake } = renderApp();
    fireEvent.click(newChatButton());

    const tab = await screen.findByRole('tab', { name: 'New chat' });
    expect(tab.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tablist', { name: 'Open chats' }).contains(tab)).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Message' })));
    expect(fake.sessions.size).toBe(1);
  });

  it('Ctrl+T creates a chat and Ctrl+W closes it, back to the start view', async () => {
    renderApp();
    await screen.findByRole('heading', { name: 'Confab' });

    fireEvent.keyDown(document.body, { key: 't', ctrlKey: true });
    expect((await screen.findByRole('tab', { name: 'New chat' })).isConnected).toBe(true);
    expect(screen.queryByRole('heading', { name: 'Confab' })).toBeNull();

    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Message' }), { key: 'w', ctrlKey: true });
    await waitFor(() => expect(screen.queryByRole('tab')).toBeNull());
    expect(screen.getByRole('heading', { name: 'Confab' }).isConnected).toBe(true);
  });

  it('closing the last tab shows the start view with recent chats', async () => {
    const fake = new FakeConfab();
    fake.addSession({ title: 'Yesterday' });
    fake.addSession({ title: 'Today' });
    renderApp(fake);

    fireEvent.click(await screen.findByText('Today', { selector: '[data-testid="session-item"] *' }));
    fireEvent.click(await screen.findByTitle('Close Today'));

    expect((await screen.findByRole('heading', { name: 'Recent chats' })).isConnected).toBe(true);
    const recent = screen.getByRole('heading', { name: 'Recent chats' }).nextElementSibling!;
    expect([...recent.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Today', 'Yesterday']);
  });

  it('closing the active tab selects its right-hand neighbour', async () => {
    const fake = new FakeConfab();
    const [a, b, c] = [
      fake.addSession({ title: 'A' }),
      fake.addSession({ title: 'B' }),
      fake.addSession({ title: 'C' }),
    ];
    fake.uiState.set(TABS_UI_KEY, { open: [a.id, b.id, c.id], active: b.id });
    renderApp(fake);

    const tabB = await screen.findByRole('tab', { name: 'B' });
    expect(tabB.getAttribute('aria-selected')).toBe('true');
    fireEvent.click(screen.getByTitle('Close B'));
    await waitFor(() => expect(screen.getByRole('tab', { name: 'C' }).getAttribute('aria-selected')).toBe('true'));
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['A', 'C']);
  });

  it('persists open tabs through ui.set and restores them on the next start', async () => {
    const fake = new FakeConfab();
    const first = renderApp(fake);
    fireEvent.click(newChatButton());
    await screen.findByRole('tab', { name: 'New chat' });
    fireEvent.click(newChatButton());
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(2));

    const ids = [...fake.sessions.keys()];
    await waitFor(() => expect(fake.uiState.get(TABS_UI_KEY)).toEqual({ open: ids, active: ids[1] }));

    // A second start over the same data, as after quitting the app.
    first.unmount();
    renderApp(fake);
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(2));
    expect(screen.getAllByRole('tab')[1]?.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(`tab-${ids[1]}`);
  });

  it('arrow keys move between tabs and keep focus in the strip', async () => {
    const fake = new FakeConfab();
    const [a, b] = [fake.addSession({ title: 'A' }), fake.addSession({ title: 'B' })];
    fake.uiState.set(TABS_UI_KEY, { open: [a.id, b.id], active: a.id });
    renderApp(fake);

    const tabA = await screen.findByRole('tab', { name: 'A' });
    act(() => tabA.focus());
    fireEvent.keyDown(tabA, { key: 'ArrowRight' });
    const tabB = screen.getByRole('tab', { name: 'B' });
    expect(tabB.getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(tabB));
    expect(tabB.getAttribute('tabindex')).toBe('0');
    expect(tabA.getAttribute('tabindex')).toBe('-1');

    fireEvent.keyDown(tabB, { key: 'Delete' });
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(1));
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'A' }));
  });

  it('updates a tab title when the session is renamed elsewhere', async () => {
    const fake = new FakeConfab();
    const s = fake.addSession({ title: '' });
    fake.uiState.set(TABS_UI_KEY, { open: [s.id], active: s.id });
    renderApp(fake);
    await screen.findByRole('tab', { name: 'New chat' });

    fake.sessions.set(s.id, { ...fake.sessions.get(s.id)!, title: 'Trip planning' });
    fake.emit('sessions.changed', { ids: [s.id] });
    expect((await screen.findByRole('tab', { name: 'Trip planning' })).isConnected).toBe(true);
    await waitFor(() => expect(document.title).toBe('Trip planning – Confab'));
  });

  it('drag and drop reorders the tabs and saves the order', async () => {
    const fake = new FakeConfab();
    const [a, b, c] = ['A', 'B', 'C'].map((title) => fake.addSession({ title }));
    fake.uiState.set(TABS_UI_KEY, { open: [a!.id, b!.id, c!.id], active: a!.id });
    renderApp(fake);
    const tabC = await screen.findByRole('tab', { name: 'C' });
    const tabA = screen.getByRole('tab', { name: 'A' });

    // jsdom has no DataTransfer; this one keeps data the way the browser's does.
    const data = new Map<string, string>();
    const dataTransfer = {
      get types() {
        return [...data.keys()];
      },
      setData: (type: string, value: string) => void data.set(type, value),
      getData: (type: string) => data.get(type) ?? '',
      effectAllowed: 'none',
      dropEffect: 'none',
    };
    fireEvent.dragStart(tabC, { dataTransfer });
    fireEvent.dragOver(tabA, { dataTransfer, clientX: 10 });
    // jsdom lays nothing out (every box is 0 wide), so the pointer is past A's middle: after A.
    expect(tabA.parentElement!.getAttribute('data-drop')).toBe('after');
    fireEvent.drop(tabA, { dataTransfer, clientX: 10 });

    await waitFor(() => expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['A', 'C', 'B']));
    expect(tabA.parentElement!.getAttribute('data-drop')).toBeNull();
    await waitFor(() => expect(fake.uiState.get(TABS_UI_KEY)).toEqual({ open: [a!.id, c!.id, b!.id], active: a!.id }));

    // Text dragged in from elsewhere is not a tab: no drop marker, no move.
    const text = { ...dataTransfer, types: ['text/plain'], getData: () => 'hello' };
    fireEvent.dragOver(tabA, { dataTransfer: text });
    expect(tabA.parentElement!.getAttribute('data-drop')).toBeNull();
  });

  it('a reply finishing in a background tab marks it unread until it is shown', async () => {
    const fake = new FakeConfab();
    const [a, b] = ['A', 'B'].map((title) => fake.addSession({ title }));
    fake.uiState.set(TABS_UI_KEY, { open: [a!.id, b!.id], active: a!.id });
    renderApp(fake);
    const tabB = await screen.findByRole('tab', { name: 'B' });

    act(() =>
      fake.emit('chat.done', {
        sessionId: a!.id,
        messageId: a!.id,
        status: 'complete',
        errorCode: null,
        errorMessage: null,
      }),
    );
    act(() =>
      fake.emit('chat.done', {
        sessionId: b!.id,
        messageId: b!.id,
        status: 'complete',
        errorCode: null,
        errorMessage: null,
      }),
    );
    expect(screen.getByRole('tab', { name: 'A' }).querySelector('[aria-label="New reply"]')).toBeNull();
    expect(tabB.querySelector('[aria-label="New reply"]')).not.toBeNull();
    expect(tabB.getAttribute('aria-describedby')).toBe(tabB.querySelector('[aria-label="New reply"]')?.id);

    fireEvent.click(tabB);
    await waitFor(() => expect(tabB.querySelector('[aria-label="New reply"]')).toBeNull());
  });

  it('the Usage dashboard opens as a tab that is saved and restored like a chat', async () => {
    const fake = new FakeConfab();
    const chat = fake.addSession({ title: 'A chat' });
    fake.uiState.set(TABS_UI_KEY, { open: [chat.id], active: chat.id });
    const first = renderApp(fake);
    await screen.findByRole('tab', { name: 'A chat' });

    fireEvent.click(screen.getByRole('button', { name: 'Usage' }));
    const usageTab = await screen.findByRole('tab', { name: 'Usage', selected: true });
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(usageTab.id);
    expect(await within(screen.getByRole('tabpanel')).findByRole('heading', { name: 'Usage' })).toBeTruthy();
    await waitFor(() =>
      expect(fake.uiState.get(TABS_UI_KEY)).toEqual({ open: [chat.id, 'view:usage'], active: 'view:usage' }),
    );
    await waitFor(() => expect(document.title).toBe('Usage – Confab'));

    first.unmount();
    renderApp(fake);
    expect(await screen.findByRole('tab', { name: 'Usage', selected: true })).toBeTruthy();
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['A chat', 'Usage']);
    // Cmd/Ctrl+F is the browser's on the Usage tab: no find bar opens.
    fireEvent.keyDown(document.body, { key: 'f', ctrlKey: true });
    expect(screen.queryByRole('search')).toBeNull();
  });
});
