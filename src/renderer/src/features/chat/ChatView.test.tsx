import '../../test/setup';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests, type RealCore } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';

const core = realCoreForTests();

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const contentOf = (m: HTMLElement) => m.querySelector('[data-testid="message-content"]')?.textContent;
const shownMessages = () => screen.queryAllByTestId('message').map((m) => [m.dataset.role, contentOf(m)]);

/** A chat (seeded by `build`) open in its tab, on the real core. */
async function openWith(build: (core: RealCore, sessionId: string) => Promise<unknown> = async () => {}) {
  const session = await core().addSession({ title: 'Chat' });
  await build(core(), session.id);
  await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([session.id]) });
  return { ...renderApp(core()), sessionId: session.id };
}

describe('Chat view', () => {
  it('shows the branch oldest first with each message role', async () => {
    await openWith(async (c, id) => {
      await c.addMessage(id, 'user', 'Hi');
      await c.addMessage(id, 'assistant', 'Hello!\nHow can I help?');
    });
    await waitFor(() =>
      expect(shownMessages()).toEqual([
        ['user', 'Hi'],
        ['assistant', 'Hello!\nHow can I help?'],
      ]),
    );
  });

  it('renders message content as text, never as HTML', async () => {
    const payload = '<img src=x onerror="window.pwned=1"><b>bold</b>';
    await openWith((c, id) => c.addMessage(id, 'assistant', payload));
    const message = await screen.findByTestId('message');
    expect(contentOf(message)).toBe(payload);
    expect(message.querySelector('img, b')).toBeNull();
  });

  it('Enter sends the draft as a user message; Shift+Enter does not', async () => {
    await core().addProvider();
    const { sessionId } = await openWith();
    await screen.findByText(/No messages yet/);

    fireEvent.change(composer(), { target: { value: 'line one' } });
    fireEvent.keyDown(composer(), { key: 'Enter', shiftKey: true });
    expect(core().callsTo('chat.send')).toEqual([]);
    expect((composer() as HTMLTextAreaElement).value).toBe('line one');

    fireEvent.change(composer(), { target: { value: 'line one\nline two' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    expect((composer() as HTMLTextAreaElement).value).toBe('');
    await waitFor(() => expect(shownMessages()[0]).toEqual(['user', 'line one\nline two']));
    expect(core().callsTo('chat.send')).toEqual([{ sessionId, content: 'line one\nline two' }]);
    // The reply (echoed by the scripted provider) follows.
    await waitFor(() => expect(shownMessages()[1]).toEqual(['assistant', 'Echo: line one\nline two']));
  });

  it('the Send button sends and is disabled for an empty draft', async () => {
    await core().addProvider();
    await openWith();
    const send = await screen.findByRole('button', { name: 'Send' });
    expect((send as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(composer(), { target: { value: 'hello' } });
    expect((send as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(send);
    await waitFor(() => expect(shownMessages()[0]).toEqual(['user', 'hello']));
    expect(core().callsTo('chat.send')).toHaveLength(1);
  });

  it('shows an API error in a dismissible alert and keeps the draft', async () => {
    await openWith();
    await screen.findByText(/No messages yet/);
    core().failNext('chat.send', 'not_found', 'That chat no longer exists.');

    fireEvent.change(composer(), { target: { value: 'will fail' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('That chat no longer exists.');
    expect((composer() as HTMLTextAreaElement).value).toBe('will fail');
    expect(shownMessages()).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reloads when messages.changed names the open session', async () => {
    const { sessionId } = await openWith((c, id) => c.addMessage(id, 'user', 'question'));
    await waitFor(() => expect(shownMessages()).toHaveLength(1));

    // Written elsewhere (another window, a sync): main announces it.
    await core().addMessage(sessionId, 'assistant', 'an answer from elsewhere');
    core().emit('messages.changed', { sessionId, messageIds: [], source: 'remote' });
    await waitFor(() =>
      expect(shownMessages()).toEqual([
        ['user', 'question'],
        ['assistant', 'an answer from elsewhere'],
      ]),
    );
  });

  it('ignores messages.changed for sessions that are not open', async () => {
    const { sessionId } = await openWith();
    await screen.findByText(/No messages yet/);
    const other = await core().addSession();
    const before = core().callsTo('messages.listBranch').length;
    core().emit('messages.changed', { sessionId: other.id, messageIds: [], source: 'local' });
    // A change to the open chat in the same burst: once it is read, the other one was routed too.
    core().emit('messages.changed', { sessionId, messageIds: [], source: 'local' });
    await waitFor(() => expect(core().callsTo('messages.listBranch')).toHaveLength(before + 1));
    expect(core().callsTo('messages.listBranch').slice(before)).toEqual([{ sessionId, limit: 50 }]);
  });

  it('virtualizes a long chat and loads older messages above the newest page', async () => {
    const { store, sessionId } = await openWith(async (c, id) => {
      await c.addChain(
        id,
        Array.from({ length: 60 }, (_, i) => ({
          role: i % 2 ? ('assistant' as const) : ('user' as const),
          content: `#${i}`,
        })),
      );
    });
    await waitFor(() => expect(store.getState().messages[sessionId]?.items).toHaveLength(50));
    // jsdom gives every row the viewport's height: only a few rows around the view are in the DOM.
    // (Where the view sits is the browser's business: e2e/palette.spec.ts.)
    await waitFor(() => expect(shownMessages().length).toBeGreaterThan(0));
    expect(shownMessages().length).toBeLessThan(15);
    expect(store.getState().messages[sessionId]!.items[0]!.content).toBe('#10');

    fireEvent.click(screen.getByRole('button', { name: 'Load older messages' }));
    await waitFor(() => expect(store.getState().messages[sessionId]?.items).toHaveLength(60));
    expect(store.getState().messages[sessionId]!.items[0]!.content).toBe('#0');
    expect(screen.queryByRole('button', { name: 'Load older messages' })).toBeNull();
    expect(shownMessages().length).toBeLessThan(15);
  });

  it('keeps a draft per chat across tab switches', async () => {
    const a = await core().addSession({ title: 'A' });
    const b = await core().addSession({ title: 'B' });
    await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([a.id, b.id], a.id) });
    renderApp(core());
    await screen.findByRole('tab', { name: 'A' });

    fireEvent.change(composer(), { target: { value: 'half-written' } });
    fireEvent.click(screen.getByRole('tab', { name: 'B' }));
    await waitFor(() => expect((composer() as HTMLTextAreaElement).value).toBe(''));
    fireEvent.click(screen.getByRole('tab', { name: 'A' }));
    await waitFor(() => expect((composer() as HTMLTextAreaElement).value).toBe('half-written'));
  });
});
