/**
 * Replies through the real core: the runner streams a scripted provider's pieces as `chat.delta`
 * events, saves the reply, and ends it with `chat.done`. Every step waits on what the user would
 * see, never on time, so the tests hold on a loaded machine.
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
const lastAssistant = () =>
  messages()
    .filter((m) => m.dataset.role === 'assistant')
    .at(-1)!;

/** A chat with a provider ("Local": small, large) set up, seeded by `build`, open in its tab. */
async function openWith(build: (core: RealCore, sessionId: string) => Promise<unknown> = async () => {}) {
  const provider = await core().addProvider({ name: 'Local', models: ['small', 'large'], defaultModel: 'small' });
  const session = await core().addSession({ title: 'Chat' });
  await build(core(), session.id);
  await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([session.id]) });
  return { ...renderApp(core()), sessionId: session.id, provider };
}

/** Types and sends `text`; resolves once the reply is streaming on screen. */
async function sendAndStart(text: string): Promise<void> {
  await screen.findByRole('button', { name: 'Send' });
  fireEvent.change(composer(), { target: { value: text } });
  fireEvent.keyDown(composer(), { key: 'Enter' });
  await waitFor(() => expect(lastAssistant()?.dataset.status).toBe('streaming'));
}

describe('Streaming replies', () => {
  // The first test of a file also warms up jsdom, React and the core's first queries, which
  // takes several times longer on a loaded machine: more time, not a sleep.
  it('shows streamed text as it arrives, with Stop and a busy tab, then the final message', FIRST_TEST, async () => {
    await openWith();
    const reply = core().providers.nextReply();
    await sendAndStart('Hi');
    await reply.started;
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
    expect(screen.getByRole('tab').dataset.streaming).toBe('true');

    reply.push('Hel').push('lo ').push('there');
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('Hello there'));
    expect(lastAssistant().dataset.status).toBe('streaming');

    reply.push('!').usage(20, 412).end();
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('complete'));
    expect(contentOf(lastAssistant())).toBe('Hello there!');
    // The time is measured by the runner; the tokens are what the provider reported.
    expect(within(lastAssistant()).getByText(/^412 tokens · /)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
    expect(screen.getByRole('tab').dataset.streaming).toBeUndefined();
  });

  it('Stop and Esc both call chat.stop for the shown chat; the draft is kept while it answers', async () => {
    const { sessionId } = await openWith();
    core().providers.nextReply();
    await sendAndStart('Long question');
    fireEvent.change(composer(), { target: { value: 'next question' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    expect(core().callsTo('chat.send')).toHaveLength(1);
    expect((composer() as HTMLTextAreaElement).value).toBe('next question');

    fireEvent.keyDown(composer(), { key: 'Escape' });
    await waitFor(() => expect(core().callsTo('chat.stop')).toEqual([{ sessionId }]));
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('cancelled'));
    expect(within(lastAssistant()).getByText('Stopped')).toBeTruthy();

    core().providers.nextReply();
    await sendAndStart('Another');
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(core().callsTo('chat.stop')).toHaveLength(2));
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('cancelled'));
  });

  it('marks estimated token counts with ~', async () => {
    await openWith(async (c, id) => {
      await c.addMessage(id, 'user', 'Q');
      const answer = await c.addMessage(id, 'assistant', 'A');
      await c.finishMessage(answer.id, { tokensIn: 30, tokensOut: 9, tokensEstimated: true, latencyMs: 250 });
    });
    expect(await screen.findByText('~9 tokens · 250 ms')).toBeTruthy();
  });
});

describe('Reply actions', () => {
  it('an error reply shows its message and Retry writes it again in place', async () => {
    let failedId = '';
    await openWith(async (c, id) => {
      await c.addMessage(id, 'user', 'Q');
      const failed = await c.addMessage(id, 'assistant', '');
      failedId = failed.id;
      await c.finishMessage(failed.id, {
        status: 'error',
        errorCode: 'auth',
        errorMessage: 'Local did not accept the API key. Check the key in the provider settings, then retry.',
      });
    });
    const failed = await screen.findByText(/did not accept the API key/);
    const message = failed.closest<HTMLElement>('[data-testid="message"]')!;
    expect(within(message).queryByRole('button', { name: 'Regenerate' })).toBeNull();
    fireEvent.click(within(message).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(core().callsTo('chat.regenerate')).toEqual([{ messageId: failedId }]));
    // The answer (echoed) replaces the failed one: no second version of an error to page through.
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('Echo: Q'));
    expect(within(lastAssistant()).queryByText(/\d\/\d/)).toBeNull();
    expect(screen.queryByText(/did not accept the API key/)).toBeNull();
  });

  it('an interrupted reply keeps its text and offers Retry', async () => {
    await openWith(async (c, id) => {
      await c.addMessage(id, 'user', 'Q');
      const partial = await c.addMessage(id, 'assistant', 'Partial');
      await c.finishMessage(partial.id, {
        status: 'interrupted',
        errorCode: 'interrupted',
        errorMessage: 'Confab closed while this reply was being written.',
      });
    });
    await screen.findByText('Confab closed while this reply was being written.');
    expect(contentOf(lastAssistant())).toBe('Partial');
    expect(within(lastAssistant()).getByRole('button', { name: 'Retry' })).toBeTruthy();
  });

  it('Regenerate asks for a new answer to the same question', async () => {
    let answerId = '';
    await openWith(async (c, id) => {
      await c.addMessage(id, 'user', 'Q');
      answerId = (await c.addMessage(id, 'assistant', 'A1')).id;
    });
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('A1'));
    const reply = core().providers.nextReply();
    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(core().callsTo('chat.regenerate')).toEqual([{ messageId: answerId }]));
    await waitFor(() => expect(within(lastAssistant()).getByText('2/2')).toBeTruthy());
    // While it answers, the other actions wait.
    await reply.started;
    const user = messages().find((m) => m.dataset.role === 'user')!;
    expect((within(user).getByRole('button', { name: 'Edit' }) as HTMLButtonElement).disabled).toBe(true);
    reply.push('A2').end();
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('complete'));
    const question = messages().find((m) => m.dataset.role === 'user')!;
    await waitFor(() =>
      expect((within(question).getByRole('button', { name: 'Edit' }) as HTMLButtonElement).disabled).toBe(false),
    );
  });

  it('Edit opens an inline editor; Enter saves through chat.edit, Esc cancels without stopping anything', async () => {
    let questionId = '';
    await openWith(async (c, id) => {
      questionId = (await c.addMessage(id, 'user', 'Old question')).id;
      await c.addMessage(id, 'assistant', 'A');
    });
    const user = (await screen.findAllByTestId('message')).find((m) => m.dataset.role === 'user')!;
    fireEvent.click(within(user).getByRole('button', { name: 'Edit' }));
    let editor = screen.getByRole('textbox', { name: 'Edit message' });
    fireEvent.keyDown(editor, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'Edit message' })).toBeNull();
    expect(core().callsTo('chat.stop')).toEqual([]);

    const reply = core().providers.nextReply();
    fireEvent.click(within(user).getByRole('button', { name: 'Edit' }));
    editor = screen.getByRole('textbox', { name: 'Edit message' });
    fireEvent.change(editor, { target: { value: 'New question' } });
    fireEvent.keyDown(editor, { key: 'Enter' });
    await waitFor(() =>
      expect(core().callsTo('chat.edit')).toEqual([{ messageId: questionId, content: 'New question' }]),
    );
    await waitFor(() => expect(messages().map(contentOf)).toEqual(['New question', '']));
    reply.push('New answer').end();
    await waitFor(() => expect(messages().map(contentOf)).toEqual(['New question', 'New answer']));
  });

  it('the branch switcher shows 2/3 and moves to the previous and next sibling', async () => {
    const ids: string[] = [];
    const { sessionId } = await openWith(async (c, id) => {
      const q = await c.addMessage(id, 'user', 'Q');
      for (const text of ['A1', 'A2', 'A3'])
        ids.push((await c.addMessage(id, 'assistant', text, { parentId: q.id })).id);
      await c.direct.sessions.setCurrentLeaf({ sessionId: id, messageId: ids[1]! });
    });
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('A2'));
    expect(within(lastAssistant()).getByText('2/3')).toBeTruthy();

    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Previous branch' }));
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('A1'));
    expect(core().callsTo('sessions.setCurrentLeaf')).toEqual([{ sessionId, messageId: ids[0] }]);
    expect(within(lastAssistant()).getByText('1/3')).toBeTruthy();
    expect(
      (within(lastAssistant()).getByRole('button', { name: 'Previous branch' }) as HTMLButtonElement).disabled,
    ).toBe(true);

    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Next branch' }));
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('A2'));
    expect(core().callsTo('sessions.setCurrentLeaf').at(-1)).toEqual({ sessionId, messageId: ids[1] });
  });

  it('messages without siblings have no switcher', async () => {
    await openWith(async (c, id) => {
      await c.addMessage(id, 'user', 'Q');
      await c.addMessage(id, 'assistant', 'A');
    });
    await waitFor(() => expect(messages()).toHaveLength(2));
    expect(screen.queryByRole('button', { name: 'Previous branch' })).toBeNull();
  });
});

describe('Per-chat model and system prompt', () => {
  it('the model picker saves provider and model on the chat', async () => {
    const { sessionId, provider } = await openWith();
    const picker = (await screen.findByRole('combobox', { name: 'Model' })) as HTMLSelectElement;
    await waitFor(() => expect(picker.selectedOptions[0]!.textContent).toBe('Default (Local · small)'));
    const large = [...picker.options].find((o) => o.textContent === 'Local · large')!;
    fireEvent.change(picker, { target: { value: large.value } });
    await waitFor(() =>
      expect(core().callsTo('sessions.update')).toEqual([{ id: sessionId, providerId: provider.id, model: 'large' }]),
    );
    await waitFor(() => expect(picker.selectedOptions[0]!.textContent).toBe('Local · large'));
  });

  it('says so when the chat names a provider that is turned off', async () => {
    const { sessionId } = await openWith(async (c) => {
      const old = await c.direct.providers.create({
        preset: 'custom',
        name: 'Old',
        baseUrl: 'http://127.0.0.1:9/old/v1',
      });
      await c.direct.providers.update({ id: old.id, enabled: false });
    });
    const picker = (await screen.findByRole('combobox', { name: 'Model' })) as HTMLSelectElement;
    const [old] = (await core().direct.providers.list({})).filter((p) => p.name === 'Old');
    // Chosen in another window: main announces the change.
    await core().direct.sessions.update({ id: sessionId, providerId: old!.id, model: 'old-model' });
    await waitFor(() =>
      expect(picker.selectedOptions[0]!.textContent).toBe('old-model (provider removed or turned off)'),
    );
  });

  it('offers manual entry for a model the server does not list', async () => {
    const { sessionId, provider } = await openWith();
    const picker = (await screen.findByRole('combobox', { name: 'Model' })) as HTMLSelectElement;
    const other = await waitFor(() => [...picker.options].find((o) => o.textContent === 'Local · other model…')!);
    fireEvent.change(picker, { target: { value: other.value } });
    const input = screen.getByRole('textbox', { name: 'Model name for Local' });
    fireEvent.change(input, { target: { value: 'my-finetune' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use model' }));
    await waitFor(() =>
      expect(core().callsTo('sessions.update')).toEqual([
        { id: sessionId, providerId: provider.id, model: 'my-finetune' },
      ]),
    );
    await waitFor(() => expect(picker.selectedOptions[0]!.textContent).toBe('Local · my-finetune'));
  });

  it('fetches the server model list when the picker is used', async () => {
    const { provider } = await openWith();
    core().providers.models.set(provider.baseUrl, ['served-model']);
    const picker = await screen.findByRole('combobox', { name: 'Model' });
    await waitFor(() => expect(screen.getByRole('option', { name: 'Local · small' })).toBeTruthy());
    fireEvent.focus(picker);
    await waitFor(() => expect(screen.getByRole('option', { name: 'Local · served-model' })).toBeTruthy());
    fireEvent.focus(picker);
    expect(core().callsTo('providers.models')).toHaveLength(1);
  });

  it('saves the system prompt', async () => {
    const { sessionId } = await openWith();
    fireEvent.click(await screen.findByRole('button', { name: 'Add system prompt' }));
    const prompt = screen.getByRole('textbox', { name: 'System prompt' });
    fireEvent.change(prompt, { target: { value: 'Answer in French.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save system prompt' }));
    await waitFor(() =>
      expect(core().callsTo('sessions.update')).toEqual([{ id: sessionId, systemPrompt: 'Answer in French.' }]),
    );
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'System prompt' })).toBeNull());
    expect(screen.getByRole('button', { name: 'System prompt (set)' })).toBeTruthy();
  });
});

describe('Without a provider', () => {
  it('says so above the composer, sends anyway (nothing is lost), and offers setup', async () => {
    const session = await core().addSession({ title: 'Chat' });
    await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([session.id]) });
    renderApp(core());
    const note = await screen.findByRole('note');
    expect(note.textContent).toContain('No model provider is set up yet');

    fireEvent.change(composer(), { target: { value: 'kept' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await waitFor(() => expect(core().callsTo('chat.send')).toEqual([{ sessionId: session.id, content: 'kept' }]));
    // The message is saved, and its reply says what to set up.
    await waitFor(() => expect(messages().map(contentOf)[0]).toBe('kept'));
    await waitFor(() => expect(lastAssistant()?.dataset.status).toBe('error'));

    fireEvent.click(within(note).getByRole('button', { name: 'Set up a provider' }));
    expect(await screen.findByRole('dialog', { name: 'Settings' })).toBeTruthy();
  });
});
