import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { TABS_UI_KEY } from '../workspace/store';
import { FakeConfab } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

const contents = () =>
  screen.queryAllByTestId('message').map((m) => m.querySelector('[data-testid="message-content"]')?.textContent);

function openChat() {
  const fake = new FakeConfab();
  const session = fake.addSession({ title: 'Chat' });
  fake.addMessage(session.id, 'user', 'first question');
  fake.addMessage(session.id, 'assistant', 'first answer');
  const second = fake.addMessage(session.id, 'user', 'second question');
  fake.addMessage(session.id, 'assistant', 'second answer');
  fake.uiState.set(TABS_UI_KEY, { open: [session.id], active: session.id });
  renderApp(fake);
  return { fake, second };
}

describe('message actions', () => {
  it('Delete hides the message and what follows; Undo brings them back', async () => {
    const { fake, second } = openChat();
    await waitFor(() => expect(contents()).toHaveLength(4));
    const third = screen.getAllByTestId('message')[2]!;
    fireEvent.click(within(third).getByRole('button', { name: 'Delete' }));

    await waitFor(() => expect(contents()).toEqual(['first question', 'first answer']));
    expect(fake.callsTo('messages.delete')).toEqual([{ messageId: second.id }]);
    const toast = screen.getByText('Deleted the message and 1 after it.').closest('.toast') as HTMLElement;
    fireEvent.click(within(toast).getByRole('button', { name: 'Undo' }));

    await waitFor(() =>
      expect(contents()).toEqual(['first question', 'first answer', 'second question', 'second answer']),
    );
    expect(fake.callsTo('messages.restore')).toEqual([{ messageId: second.id }]);
    expect(screen.queryByText(/Deleted the message/)).toBeNull();
  });

  it('a failed delete keeps the messages and says why', async () => {
    const { fake } = openChat();
    await waitFor(() => expect(contents()).toHaveLength(4));
    fake.failNext('messages.delete', 'conflict', 'A reply is still being written there. Stop it before deleting.');
    fireEvent.click(within(screen.getAllByTestId('message')[0]!).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText(/Stop it before deleting/)).toBeTruthy();
    expect(contents()).toHaveLength(4);
  });

  it('Copy puts the Markdown source on the clipboard and says Copied', async () => {
    const writeText = vi.fn(async (_text: string) => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    openChat();
    await waitFor(() => expect(contents()).toHaveLength(4));
    fireEvent.click(within(screen.getAllByTestId('message')[1]!).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('first answer'));
    expect(await within(screen.getAllByTestId('message')[1]!).findByRole('button', { name: 'Copied' })).toBeTruthy();
  });
});
