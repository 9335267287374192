import '../../test/setup';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../workspace/store';
import { FakeConfab } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const contentOf = (m: HTMLElement) => m.querySelector('[data-testid="message-content"]')?.textContent;
const shownMessages = () => screen.queryAllByTestId('message').map((m) => [m.dataset.role, contentOf(m)]);

function openWith(build: (fake: FakeConfab, sessionId: string) => void = () => {}) {
  const fake = new FakeConfab();
  const session = fake.addSession({ title: 'Chat' });
  build(fake, session.id);
  fake.uiState.set(TABS_UI_KEY, { open: [session.id], active: session.id });
  return { ...renderApp(fake), sessionId: session.id };
}

describe('Chat view', () => {
  it('shows the branch oldest first with each message role', async () => {
    openWith((fake, id) => {
      fake.addMessage(id, 'user', 'Hi');
      fake.addMessage(id, 'assistant', 'Hello!\nHow can I help?');
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
    openWith((fake, id) => fake.addMessage(id, 'assistant', payload));
    const message = await screen.findByTestId('message');
    expect(contentOf(message)).toBe(payload);
    expect(message.querySelector('img, b')).toBeNull();
  });

  it('Enter sends the draft as a user message; Shift+Enter does not', async () => {
    const { fake, sessionId } = openWith();
    await screen.findByText(/No messages yet/);

    fireEvent.change(composer(), { target: { value: 'line one' } });
    fireEvent.keyDown(composer(), { key: 'Enter', shiftKey: true });
    expect(fake.callsTo('chat.send')).toEqual([]);
    expect((composer() as HTMLTextAreaElement).value).toBe('line one');

    fireEvent.change(composer(), { target: { value: 'line one\nline two' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    expect((composer() as HTMLTextAreaElement).value).toBe('');
    await waitFor(() => expect(shownMessages()[0]).toEqual(['user', 'line one\nline two']));
    expect(fake.callsTo('chat.send')).toEqual([{ sessionId, content: 'line one\nline two' }]);
  });

  it('the Send button sends and is disabled for an empty draft', async () => {
    const { fake } = openWith();
    const send = await screen.findByRole('button', { name: 'Send' });
    expect((send as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(composer(), { target: { value: 'hello' } });
    expect((send as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(send);
    await waitFor(() => expect(shownMessages()[0]).toEqual(['user', 'hello']));
    expect(fake.callsTo('chat.send')).toHaveLength(1);
  });

  it('shows an API error in a dismissible alert and keeps the draft', async () => {
    const { fake } = openWith();
    await screen.findByText(/No messages yet/);
    fake.failNext('chat.send', 'not_found', 'That chat no longer exists.');

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
    const { fake, sessionId } = openWith((f, id) => f.addMessage(id, 'user', 'question'));
    await waitFor(() => expect(shownMessages()).toHaveLength(1));

    fake.addMessage(sessionId, 'assistant', 'an answer from elsewhere');
    fake.emit('messages.changed', { sessionId, messageIds: [] });
    await waitFor(() =>
      expect(shownMessages()).toEqual([
        ['user', 'question'],
        ['assistant', 'an answer from elsewhere'],
      ]),
    );
  });

  it('ignores messages.changed for sessions that are not open', async () => {
    const { fake } = openWith();
    await screen.findByText(/No messages yet/);
    const other = fake.addSession();
    const before = fake.callsTo('messages.listBranch').length;
    fake.emit('messages.changed', { sessionId: other.id, messageIds: [] });
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.callsTo('messages.listBranch')).toHaveLength(before);
  });

  it('virtualizes a long chat and loads older messages above the newest page', async () => {
    const { store, sessionId } = openWith((fake, id) => {
      for (let i = 0; i < 60; i++) fake.addMessage(id, i % 2 ? 'assistant' : 'user', `#${i}`);
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
    const fake = new FakeConfab();
    const [a, b] = [fake.addSession({ title: 'A' }), fake.addSession({ title: 'B' })];
    fake.uiState.set(TABS_UI_KEY, { open: [a.id, b.id], active: a.id });
    renderApp(fake);
    await screen.findByRole('tab', { name: 'A' });

    fireEvent.change(composer(), { target: { value: 'half-written' } });
    fireEvent.click(screen.getByRole('tab', { name: 'B' }));
    await waitFor(() => expect((composer() as HTMLTextAreaElement).value).toBe(''));
    fireEvent.click(screen.getByRole('tab', { name: 'A' }));
    await waitFor(() => expect((composer() as HTMLTextAreaElement).value).toBe('half-written'));
  });
});
