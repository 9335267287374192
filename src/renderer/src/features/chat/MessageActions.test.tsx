import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';

const FIRST_TEST = { timeout: 60_000 };

const core = realCoreForTests();

const contents = () =>
  screen.queryAllByTestId('message').map((m) => m.querySelector('[data-testid="message-content"]')?.textContent);

async function openChat() {
  const session = await core().addSession({ title: 'Chat' });
  await core().addMessage(session.id, 'user', 'first question');
  await core().addMessage(session.id, 'assistant', 'first answer');
  const second = await core().addMessage(session.id, 'user', 'second question');
  await core().addMessage(session.id, 'assistant', 'second answer');
  await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([session.id]) });
  renderApp(core());
  return { second };
}

describe('message actions', () => {
  // The first test of a file also warms up jsdom, React and the core's first queries, which
  // takes several times longer on a loaded machine: more time, not a sleep.
  it('Delete hides the message and what follows; Undo brings them back', FIRST_TEST, async () => {
    const { second } = await openChat();
    await waitFor(() => expect(contents()).toHaveLength(4));
    const third = screen.getAllByTestId('message')[2]!;
    fireEvent.click(within(third).getByRole('button', { name: 'Delete' }));

    await waitFor(() => expect(contents()).toEqual(['first question', 'first answer']));
    expect(core().callsTo('messages.delete')).toEqual([{ messageId: second.id }]);
    const toast = screen.getByText('Deleted the message and 1 after it.').closest('.toast') as HTMLElement;
    fireEvent.click(within(toast).getByRole('button', { name: 'Undo' }));

    await waitFor(() =>
      expect(contents()).toEqual(['first question', 'first answer', 'second question', 'second answer']),
    );
    expect(core().callsTo('messages.restore')).toEqual([{ messageId: second.id }]);
    expect(screen.queryByText(/Deleted the message/)).toBeNull();
  });

  it('a failed delete keeps the messages and says why', async () => {
    await openChat();
    await waitFor(() => expect(contents()).toHaveLength(4));
    core().failNext('messages.delete', 'conflict', 'A reply is still being written there. Stop it before deleting.');
    fireEvent.click(within(screen.getAllByTestId('message')[0]!).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText(/Stop it before deleting/)).toBeTruthy();
    expect(contents()).toHaveLength(4);
  });

  it('Copy puts the Markdown source on the clipboard and says Copied', async () => {
    const writeText = vi.fn(async (_text: string) => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await openChat();
    await waitFor(() => expect(contents()).toHaveLength(4));
    fireEvent.click(within(screen.getAllByTestId('message')[1]!).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('first answer'));
    expect(await within(screen.getAllByTestId('message')[1]!).findByRole('button', { name: 'Copied' })).toBeTruthy();
  });
});
