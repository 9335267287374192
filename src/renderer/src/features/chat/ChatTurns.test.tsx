/**
 * Failed turns, Retry in place, which model wrote a reply, and reasoning, through the real core:
 * the runner streams a scripted provider's pieces, and what the provider is sent is checked too.
 */
import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests, type RealCore } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';

const FIRST_TEST = { timeout: 60_000 };

const core = realCoreForTests();

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const messages = () => screen.queryAllByTestId('message');
const contentOf = (m: HTMLElement) => m.querySelector('[data-testid="message-content"]')?.textContent;
const byRole = (role: string) => messages().filter((m) => m.dataset.role === role);
const lastAssistant = () => byRole('assistant').at(-1)!;

async function openWith(build: (core: RealCore, sessionId: string) => Promise<unknown> = async () => {}) {
  const provider = await core().addProvider({ name: 'Local', models: ['small', 'large'], defaultModel: 'small' });
  const session = await core().addSession({ title: 'Chat' });
  await build(core(), session.id);
  await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([session.id]) });
  return { ...renderApp(core()), sessionId: session.id, provider };
}

async function send(text: string): Promise<void> {
  await screen.findByRole('button', { name: 'Send' });
  fireEvent.change(composer(), { target: { value: text } });
  fireEvent.keyDown(composer(), { key: 'Enter' });
}

describe('A failed turn', () => {
  it('is marked "not sent to the model", and Retry streams it again in place, with no ‹2/2›', FIRST_TEST, async () => {
    await openWith();
    const failing = core().providers.nextReply();
    await send('first FAIL please');
    await failing.started;
    failing.fail('boom');
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('error'));
    await waitFor(() => expect(within(byRole('user')[0]!).getByText('Not sent to the model')).toBeTruthy());
    expect(within(lastAssistant()).getByText('Not sent to the model')).toBeTruthy();
    const failedId = lastAssistant().closest('[data-message-id]')!.getAttribute('data-message-id');

    // Retry: it streams again under the same message (live text and Stop), not as a new version.
    const retry = core().providers.nextReply();
    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Retry' }));
    await retry.started;
    retry.push('Second time');
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('Second time'));
    expect(lastAssistant().dataset.status).toBe('streaming');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    retry.push(' lucky').end();
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('complete'));
    expect(contentOf(lastAssistant())).toBe('Second time lucky');
    expect(messages()).toHaveLength(2);
    expect(lastAssistant().closest('[data-message-id]')!.getAttribute('data-message-id')).toBe(failedId);
    expect(screen.queryByText(/\d\/\d/)).toBeNull();
    expect(screen.queryByText('Not sent to the model')).toBeNull();
    expect(core().callsTo('chat.regenerate')).toEqual([{ messageId: failedId }]);
  });

  it('is left out of the next request and stays marked', async () => {
    await openWith();
    const failing = core().providers.nextReply();
    await send('first FAIL please');
    await failing.started;
    failing.fail('boom');
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('error'));

    await send('second message');
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('Echo: second message'));
    expect(
      core()
        .providers.requests.at(-1)!
        .messages.map((m) => m.content),
    ).toEqual(['second message']);
    const marked = messages().map((m) => within(m).queryByText('Not sent to the model') !== null);
    expect(marked).toEqual([true, true, false, false]);
  });

  it('a reply stopped before any text marks its turn; one stopped with text does not', async () => {
    await openWith(async (c, id) => {
      await c.addMessage(id, 'user', 'Q1');
      const empty = await c.addMessage(id, 'assistant', '');
      await c.finishMessage(empty.id, { status: 'cancelled' });
      await c.addMessage(id, 'user', 'Q2');
      const partial = await c.addMessage(id, 'assistant', 'Half');
      await c.finishMessage(partial.id, { status: 'cancelled' });
    });
    await waitFor(() => expect(messages()).toHaveLength(4));
    const notSent = messages().map((m) => within(m).queryByText('Not sent to the model') !== null);
    expect(notSent).toEqual([true, true, false, false]);
  });
});

describe('Which model wrote a reply', () => {
  it('names the model and its provider on the reply and beside the version switcher', async () => {
    const { sessionId, store } = await openWith();
    await send('Q');
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('complete'));
    await waitFor(() => expect(within(lastAssistant()).getByTestId('reply-model').textContent).toBe('small · Local'));

    // Another model writes a second version; each version names its own.
    await store
      .getState()
      .updateSession(sessionId, { providerId: store.getState().providers.data![0]!.id, model: 'large' });
    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(within(lastAssistant()).getByText('2/2')).toBeTruthy());
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('complete'));
    const switcher = within(lastAssistant()).getByRole('group', { name: /^Version 2 of 2/ });
    expect(within(switcher).getByTestId('reply-model').textContent).toBe('large · Local');
    expect(within(lastAssistant()).getAllByTestId('reply-model')).toHaveLength(1);

    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Previous branch' }));
    await waitFor(() => expect(within(lastAssistant()).getByText('1/2')).toBeTruthy());
    expect(within(lastAssistant()).getByTestId('reply-model').textContent).toBe('small · Local');
    // The user's own messages name no model.
    expect(within(byRole('user')[0]!).queryByTestId('reply-model')).toBeNull();
  });
});

describe('Reasoning', () => {
  it('streams into a folded "Reasoning" section, apart from the answer and out of later context', async () => {
    await openWith();
    const reply = core().providers.nextReply();
    await send('Think first');
    await reply.started;
    reply.think('Let me weigh ').think('both sides.');
    await waitFor(() => expect(within(lastAssistant()).getByTestId('reasoning').textContent).toContain('both sides.'));
    const section = () => within(lastAssistant()).getByTestId('reasoning') as HTMLDetailsElement;
    expect(section().open).toBe(false);
    expect(within(section()).getByText('Reasoning…')).toBeTruthy();
    reply.push('The answer.').end();
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('complete'));
    // The final copy, read back from the database, keeps it folded and apart.
    expect(contentOf(lastAssistant())).toBe('The answer.');
    expect(section().open).toBe(false);
    expect(within(section()).getByText('Reasoning')).toBeTruthy();
    expect(section().textContent).toContain('Let me weigh both sides.');

    fireEvent.click(within(section()).getByText('Reasoning'));
    expect(section().open).toBe(true);

    await send('Next');
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('Echo: Next'));
    const sent = core()
      .providers.requests.at(-1)!
      .messages.map((m) => m.content)
      .join('\n');
    expect(sent).toContain('The answer.');
    expect(sent).not.toContain('weigh');
  });
});
