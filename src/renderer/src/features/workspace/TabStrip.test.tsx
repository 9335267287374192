import '../../test/setup';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { chatItem, viewItem } from '../../app/workspace/items';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';

const core = realCoreForTests();
const saveTabs = (value: unknown) => core().direct.ui.set({ key: TABS_UI_KEY, value: value as never });
const savedTabsNow = () => core().direct.ui.get({ key: TABS_UI_KEY });
const chatCount = async () => (await core().direct.sessions.list({ view: 'active', limit: 100 })).items.length;

const newChatButton = () => screen.getByRole('button', { name: 'New chat' });

describe('Tabs', () => {
  it('creating a chat opens a selected tab and focuses the composer', async () => {
    renderApp(core());
    fireEvent.click(await screen.findByRole('button', { name: 'New chat' }));

    const tab = await screen.findByRole('tab', { name: 'New chat' });
    expect(tab.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tablist', { name: 'Open chats' }).contains(tab)).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Message' })));
    expect(await chatCount()).toBe(1);
  });

  it('Ctrl+T creates a chat and Ctrl+W closes it, back to the start view', async () => {
    renderApp(core());
    await screen.findByRole('heading', { name: 'Confab' });

    fireEvent.keyDown(document.body, { key: 't', ctrlKey: true });
    expect((await screen.findByRole('tab', { name: 'New chat' })).isConnected).toBe(true);
    expect(screen.queryByRole('heading', { name: 'Confab' })).toBeNull();

    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Message' }), { key: 'w', ctrlKey: true });
    await waitFor(() => expect(screen.queryByRole('tab')).toBeNull());
    expect(screen.getByRole('heading', { name: 'Confab' }).isConnected).toBe(true);
  });

  it('closing the last tab shows the start view with recent chats', async () => {
    await core().addSession({ title: 'Yesterday' });
    await core().addSession({ title: 'Today' });
    renderApp(core());

    fireEvent.click(await screen.findByText('Today', { selector: '[data-testid="session-item"] *' }));
    fireEvent.click(await screen.findByTitle('Close Today'));

    expect((await screen.findByRole('heading', { name: 'Recent chats' })).isConnected).toBe(true);
    const recent = screen.getByRole('heading', { name: 'Recent chats' }).nextElementSibling!;
    expect([...recent.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Today', 'Yesterday']);
  });

  it('closing the active tab selects its right-hand neighbour', async () => {
    const a = await core().addSession({ title: 'A' });
    const b = await core().addSession({ title: 'B' });
    const c = await core().addSession({ title: 'C' });
    await saveTabs(savedTabs([a.id, b.id, c.id], b.id));
    renderApp(core());

    const tabB = await screen.findByRole('tab', { name: 'B' });
    expect(tabB.getAttribute('aria-selected')).toBe('true');
    fireEvent.click(screen.getByTitle('Close B'));
    await waitFor(() => expect(screen.getByRole('tab', { name: 'C' }).getAttribute('aria-selected')).toBe('true'));
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['A', 'C']);
  });

  it('persists open tabs through ui.set and restores them on the next start', async () => {
    const first = renderApp(core());
    fireEvent.click(await screen.findByRole('button', { name: 'New chat' }));
    await screen.findByRole('tab', { name: 'New chat' });
    fireEvent.click(newChatButton());
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(2));

    // Oldest first: the order they were created in, which is the tabs' order.
    const created = (await core().direct.sessions.list({ view: 'active', limit: 10 })).items.map((s) => s.id).reverse();
    await waitFor(async () =>
      expect(await savedTabsNow()).toEqual({ version: 2, items: created.map((id) => chatItem(id)), active: 1 }),
    );

    // A second start over the same data, as after quitting the app.
    first.unmount();
    renderApp(core());
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(2));
    expect(screen.getAllByRole('tab')[1]?.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(`tab-${created[1]}`);
  });

  it('arrow keys move between tabs and keep focus in the strip', async () => {
    const a = await core().addSession({ title: 'A' });
    const b = await core().addSession({ title: 'B' });
    await saveTabs(savedTabs([a.id, b.id], a.id));
    renderApp(core());

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
    const s = await core().addSession({ title: '' });
    await saveTabs(savedTabs([s.id]));
    renderApp(core());
    await screen.findByRole('tab', { name: 'New chat' });

    // Renamed in another window: main announces it with sessions.changed.
    await core().direct.sessions.rename({ id: s.id, title: 'Trip planning' });
    expect((await screen.findByRole('tab', { name: 'Trip planning' })).isConnected).toBe(true);
    await waitFor(() => expect(document.title).toBe('Trip planning – Confab'));
  });

  it('drag and drop reorders the tabs and saves the order', async () => {
    const a = await core().addSession({ title: 'A' });
    const b = await core().addSession({ title: 'B' });
    const c = await core().addSession({ title: 'C' });
    await saveTabs(savedTabs([a.id, b.id, c.id], a.id));
    renderApp(core());
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
    await waitFor(async () =>
      expect(await savedTabsNow()).toEqual({ version: 2, items: [a, c, b].map((s) => chatItem(s.id)), active: 0 }),
    );

    // Text dragged in from elsewhere is not a tab: no drop marker, no move.
    const text = { ...dataTransfer, types: ['text/plain'], getData: () => 'hello' };
    fireEvent.dragOver(tabA, { dataTransfer: text });
    expect(tabA.parentElement!.getAttribute('data-drop')).toBeNull();
  });

  it('a reply finishing in a background tab marks it unread until it is shown', async () => {
    const a = await core().addSession({ title: 'A' });
    const b = await core().addSession({ title: 'B' });
    await saveTabs(savedTabs([a.id, b.id], a.id));
    renderApp(core());
    const tabB = await screen.findByRole('tab', { name: 'B' });

    act(() =>
      core().emit('chat.done', {
        sessionId: a.id,
        messageId: a.id,
        status: 'complete',
        errorCode: null,
        errorMessage: null,
      }),
    );
    act(() =>
      core().emit('chat.done', {
        sessionId: b.id,
        messageId: b.id,
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
    const chat = await core().addSession({ title: 'A chat' });
    await saveTabs(savedTabs([chat.id]));
    const first = renderApp(core());
    await screen.findByRole('tab', { name: 'A chat' });

    fireEvent.click(screen.getByRole('button', { name: 'Usage' }));
    const usageTab = await screen.findByRole('tab', { name: 'Usage', selected: true });
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(usageTab.id);
    expect(await within(screen.getByRole('tabpanel')).findByRole('heading', { name: 'Usage' })).toBeTruthy();
    await waitFor(async () =>
      expect(await savedTabsNow()).toEqual({ version: 2, items: [chatItem(chat.id), viewItem('usage')], active: 1 }),
    );
    await waitFor(() => expect(document.title).toBe('Usage – Confab'));

    first.unmount();
    renderApp(core());
    expect(await screen.findByRole('tab', { name: 'Usage', selected: true })).toBeTruthy();
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['A chat', 'Usage']);
    // Cmd/Ctrl+F is the browser's on the Usage tab: no find bar opens.
    fireEvent.keyDown(document.body, { key: 'f', ctrlKey: true });
    expect(screen.queryByRole('search')).toBeNull();
  });

  it('restores tabs saved before tabs held typed items, where view:usage was the Usage tab', async () => {
    const chat = await core().addSession({ title: 'Older build' });
    await saveTabs({ open: ['view:usage', chat.id], active: 'view:usage' });
    renderApp(core());
    expect(await screen.findByRole('tab', { name: 'Usage', selected: true })).toBeTruthy();
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['Usage', 'Older build']);
    fireEvent.click(screen.getByRole('tab', { name: 'Older build' }));
    // The next save writes the current format.
    await waitFor(async () =>
      expect(await savedTabsNow()).toEqual({ version: 2, items: [viewItem('usage'), chatItem(chat.id)], active: 1 }),
    );
  });
});
