import '../../test/setup';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { fakeApi } from '../../test/fakeApi';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';

const FIRST_TEST = { timeout: 60_000 };

const core = realCoreForTests();

/** A chat open in its tab; finding in it runs main's real search. */
async function openChat() {
  const s = await core().addSession({ title: 'Zoo' });
  const m = [
    await core().addMessage(s.id, 'user', 'Where is the walrus?'),
    await core().addMessage(s.id, 'assistant', 'The walrus is by the pool.'),
    await core().addMessage(s.id, 'user', 'And the seal?'),
    await core().addMessage(s.id, 'assistant', 'Next to the walrus.'),
  ];
  await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([s.id]) });
  return { ...renderApp(core()), sessionId: s.id, m };
}

const findInput = () => screen.getByRole('searchbox', { name: 'Find in chat' });
const status = () => screen.getByTestId('find-status').textContent;

describe('find in chat', () => {
  // The first test of a file also warms up jsdom, React and the core's first queries, which
  // takes several times longer on a loaded machine: more time, not a sleep.
  it('Ctrl+F opens it; hits are counted and walked with Enter, Shift+Enter and the buttons', FIRST_TEST, async () => {
    const { store, sessionId, m } = await openChat();
    await screen.findByRole('textbox', { name: 'Message' });
    fireEvent.keyDown(window, { key: 'f', ctrlKey: true });
    expect(document.activeElement).toBe(findInput());

    fireEvent.change(findInput(), { target: { value: 'walrus' } });
    // Starts at the newest hit, and brings it into view.
    await waitFor(() => expect(status()).toBe('3 of 3'));
    const focused = () => store.getState().messages[sessionId]?.focus?.messageId;
    await waitFor(() => expect(focused()).toBe(m[3]!.id));
    expect(core().callsTo('search.inSession').at(-1)).toEqual({ sessionId, q: 'walrus' });

    fireEvent.keyDown(findInput(), { key: 'Enter' });
    expect(status()).toBe('1 of 3');
    await waitFor(() => expect(focused()).toBe(m[0]!.id));
    fireEvent.keyDown(findInput(), { key: 'Enter', shiftKey: true });
    expect(status()).toBe('3 of 3');
    fireEvent.click(screen.getByRole('button', { name: 'Previous match' }));
    expect(status()).toBe('2 of 3');
    await waitFor(() => expect(focused()).toBe(m[1]!.id));
    const row = await waitFor(() => {
      const el = document.querySelector<HTMLElement>(`[data-message-id="${m[1]!.id}"]`);
      expect(el?.dataset.highlighted).toBe('true');
      return el!;
    });
    expect(row.textContent).toContain('by the pool');
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(status()).toBe('3 of 3');

    fireEvent.change(findInput(), { target: { value: 'giraffe' } });
    await waitFor(() => expect(status()).toBe('No matches'));
    expect((screen.getByRole('button', { name: 'Next match' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('Esc closes it and gives focus back to the composer', async () => {
    await openChat();
    const composer = await screen.findByRole('textbox', { name: 'Message' });
    fireEvent.keyDown(window, { key: 'f', ctrlKey: true });
    fireEvent.keyDown(findInput(), { key: 'Escape' });
    expect(screen.queryByRole('searchbox', { name: 'Find in chat' })).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(composer));
  });

  it('does nothing without an open chat', async () => {
    renderApp(fakeApi());
    await screen.findByRole('button', { name: /new chat/i });
    const event = new KeyboardEvent('keydown', { key: 'f', ctrlKey: true, cancelable: true });
    window.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
    expect(screen.queryByRole('searchbox', { name: 'Find in chat' })).toBeNull();
  });
});
