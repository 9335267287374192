import '../../test/setup';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Message } from '@shared/types';
import { TABS_UI_KEY } from '../workspace/store';
import { FakeConfab } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const messages = () => screen.queryAllByTestId('message');
const contentOf = (m: HTMLElement) => m.querySelector('[data-testid="message-content"]')?.textContent;
const lastAssistant = () =>
  messages()
    .filter((m) => m.dataset.role === 'assistant')
    .at(-1)!;

function openWith(build: (fake: FakeConfab, sessionId: string) => void = () => {}) {
  const fake = new FakeConfab();
  const provider = fake.addProvider({ name: 'Local', defaultModel: 'small', models: ['small', 'large'] });
  fake.chatSettings = { ...fake.chatSettings, defaultProviderId: provider.id };
  const session = fake.addSession({ title: 'Chat' });
  build(fake, session.id);
  fake.uiState.set(TABS_UI_KEY, { open: [session.id], active: session.id });
  return { ...renderApp(fake), sessionId: session.id, provider };
}

async function sendAndStart(fake: FakeConfab, sessionId: string, text: string): Promise<string> {
  await screen.findByRole('button', { name: 'Send' });
  fireEvent.change(composer(), { target: { value: text } });
  fireEvent.keyDown(composer(), { key: 'Enter' });
  await waitFor(() => expect(fake.activeReply(sessionId)).toBeDefined());
  const id = fake.activeReply(sessionId)!;
  await waitFor(() => expect(messages().map((m) => m.dataset.status)).toContain('streaming'));
  return id;
}

describe('Streaming replies', () => {
  it('shows streamed text as it arrives, with Stop and a busy tab, then the final message', async () => {
    const { fake, sessionId } = openWith();
    const replyId = await sendAndStart(fake, sessionId, 'Hi');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
    expect(screen.getByRole('tab').dataset.streaming).toBe('true');

    for (const text of ['Hel', 'lo ', 'there']) fake.emit('chat.delta', { sessionId, messageId: replyId, text });
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('Hello there'));

    act(() =>
      fake.finishReply(replyId, {
        content: 'Hello there!',
        tokensIn: 20,
        tokensOut: 412,
        latencyMs: 1830,
      }),
    );
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('complete'));
    expect(contentOf(lastAssistant())).toBe('Hello there!');
    expect(within(lastAssistant()).getByText('412 tokens · 1.8 s')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
    expect(screen.getByRole('tab').dataset.streaming).toBeUndefined();
  });

  it('Stop and Esc both call chat.stop for the shown chat; the draft is kept while it answers', async () => {
    const { fake, sessionId } = openWith();
    await sendAndStart(fake, sessionId, 'Long question');
    fireEvent.change(composer(), { target: { value: 'next question' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    expect(fake.callsTo('chat.send')).toHaveLength(1);
    expect((composer() as HTMLTextAreaElement).value).toBe('next question');

    fireEvent.keyDown(composer(), { key: 'Escape' });
    await waitFor(() => expect(fake.callsTo('chat.stop')).toEqual([{ sessionId }]));
    await waitFor(() => expect(lastAssistant().dataset.status).toBe('cancelled'));
    expect(within(lastAssistant()).getByText('Stopped')).toBeTruthy();

    await sendAndStart(fake, sessionId, 'Another');
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(fake.callsTo('chat.stop')).toHaveLength(2));
  });

  it('marks estimated token counts with ~', async () => {
    openWith((fake, id) => {
      fake.addMessage(id, 'user', 'Q');
      fake.addMessage(id, 'assistant', 'A', { tokensIn: 30, tokensOut: 9, tokensEstimated: true, latencyMs: 250 });
    });
    expect(await screen.findByText('~9 tokens · 250 ms')).toBeTruthy();
  });
});

describe('Reply actions', () => {
  it('an error reply shows its message and Retry regenerates it', async () => {
    const { fake } = openWith((f, id) => {
      f.addMessage(id, 'user', 'Q');
      f.addMessage(id, 'assistant', '', {
        status: 'error',
        errorCode: 'auth',
        errorMessage: 'Local did not accept the API key. Check the key in the provider settings, then retry.',
      });
    });
    const failed = await screen.findByText(/did not accept the API key/);
    const message = failed.closest<HTMLElement>('[data-testid="message"]')!;
    expect(within(message).queryByRole('button', { name: 'Regenerate' })).toBeNull();
    fireEvent.click(within(message).getByRole('button', { name: 'Retry' }));
    const errorId = [...fake.messages.values()].find((m) => m.status === 'error')!.id;
    await waitFor(() => expect(fake.callsTo('chat.regenerate')).toEqual([{ messageId: errorId }]));
  });

  it('an interrupted reply keeps its text and offers Retry', async () => {
    openWith((f, id) => {
      f.addMessage(id, 'user', 'Q');
      f.addMessage(id, 'assistant', 'Partial', {
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
    let answer!: Message;
    const { fake, sessionId } = openWith((f, id) => {
      f.addMessage(id, 'user', 'Q');
      answer = f.addMessage(id, 'assistant', 'A1');
    });
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('A1'));
    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(fake.callsTo('chat.regenerate')).toEqual([{ messageId: answer.id }]));
    await waitFor(() => expect(within(lastAssistant()).getByText('2/2')).toBeTruthy());
    // While it answers, the other actions wait.
    expect(fake.activeReply(sessionId)).toBeDefined();
    const user = messages().find((m) => m.dataset.role === 'user')!;
    expect((within(user).getByRole('button', { name: 'Edit' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('Edit opens an inline editor; Enter saves through chat.edit, Esc cancels without stopping anything', async () => {
    let question!: Message;
    const { fake } = openWith((f, id) => {
      question = f.addMessage(id, 'user', 'Old question');
      f.addMessage(id, 'assistant', 'A');
    });
    const user = (await screen.findAllByTestId('message')).find((m) => m.dataset.role === 'user')!;
    fireEvent.click(within(user).getByRole('button', { name: 'Edit' }));
    let editor = screen.getByRole('textbox', { name: 'Edit message' });
    fireEvent.keyDown(editor, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'Edit message' })).toBeNull();
    expect(fake.callsTo('chat.stop')).toEqual([]);

    fireEvent.click(within(user).getByRole('button', { name: 'Edit' }));
    editor = screen.getByRole('textbox', { name: 'Edit message' });
    fireEvent.change(editor, { target: { value: 'New question' } });
    fireEvent.keyDown(editor, { key: 'Enter' });
    await waitFor(() =>
      expect(fake.callsTo('chat.edit')).toEqual([{ messageId: question.id, content: 'New question' }]),
    );
    await waitFor(() => expect(messages().map(contentOf)).toEqual(['New question', '']));
  });

  it('the branch switcher shows 2/3 and moves to the previous and next sibling', async () => {
    const ids: string[] = [];
    const { fake, sessionId } = openWith((f, id) => {
      const q = f.addMessage(id, 'user', 'Q');
      for (const text of ['A1', 'A2', 'A3']) ids.push(f.addMessage(id, 'assistant', text, { parentId: q.id }).id);
      f.sessions.set(id, { ...f.sessions.get(id)!, currentLeafId: ids[1]! });
    });
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('A2'));
    expect(within(lastAssistant()).getByText('2/3')).toBeTruthy();

    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Previous branch' }));
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('A1'));
    expect(fake.callsTo('sessions.setCurrentLeaf')).toEqual([{ sessionId, messageId: ids[0] }]);
    expect(within(lastAssistant()).getByText('1/3')).toBeTruthy();
    expect(
      (within(lastAssistant()).getByRole('button', { name: 'Previous branch' }) as HTMLButtonElement).disabled,
    ).toBe(true);

    fireEvent.click(within(lastAssistant()).getByRole('button', { name: 'Next branch' }));
    await waitFor(() => expect(contentOf(lastAssistant())).toBe('A2'));
    expect(fake.callsTo('sessions.setCurrentLeaf').at(-1)).toEqual({ sessionId, messageId: ids[1] });
  });

  it('messages without siblings have no switcher', async () => {
    openWith((f, id) => {
      f.addMessage(id, 'user', 'Q');
      f.addMessage(id, 'assistant', 'A');
    });
    await waitFor(() => expect(messages()).toHaveLength(2));
    expect(screen.queryByRole('button', { name: 'Previous branch' })).toBeNull();
  });
});

describe('Per-chat model and system prompt', () => {
  it('the model picker saves provider and model on the chat', async () => {
    const { fake, sessionId, provider } = openWith();
    const picker = (await screen.findByRole('combobox', { name: 'Model' })) as HTMLSelectElement;
    expect(picker.selectedOptions[0]!.textContent).toBe('Default (Local · small)');
    const large = [...picker.options].find((o) => o.textContent === 'Local · large')!;
    fireEvent.change(picker, { target: { value: large.value } });
    await waitFor(() =>
      expect(fake.callsTo('sessions.update')).toEqual([{ id: sessionId, providerId: provider.id, model: 'large' }]),
    );
    await waitFor(() => expect(picker.selectedOptions[0]!.textContent).toBe('Local · large'));
  });

  it('says so when the chat names a provider that is gone', async () => {
    const { fake, sessionId } = openWith();
    fake.sessions.set(sessionId, {
      ...fake.sessions.get(sessionId)!,
      providerId: '00000000-0000-7000-8000-0000000000ee',
      model: 'old-model',
    });
    fake.emit('sessions.changed', { ids: [sessionId] });
    const picker = (await screen.findByRole('combobox', { name: 'Model' })) as HTMLSelectElement;
    await waitFor(() =>
      expect(picker.selectedOptions[0]!.textContent).toBe('old-model (provider removed or turned off)'),
    );
  });

  it('offers manual entry for a model the server does not list', async () => {
    const { fake, sessionId, provider } = openWith();
    const picker = (await screen.findByRole('combobox', { name: 'Model' })) as HTMLSelectElement;
    const other = [...picker.options].find((o) => o.textContent === 'Local · other model…')!;
    fireEvent.change(picker, { target: { value: other.value } });
    const input = screen.getByRole('textbox', { name: 'Model name for Local' });
    fireEvent.change(input, { target: { value: 'my-finetune' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use model' }));
    await waitFor(() =>
      expect(fake.callsTo('sessions.update')).toEqual([
        { id: sessionId, providerId: provider.id, model: 'my-finetune' },
      ]),
    );
    await waitFor(() => expect(picker.selectedOptions[0]!.textContent).toBe('Local · my-finetune'));
  });

  it('fetches the server model list when the picker is used', async () => {
    const { fake, provider } = openWith();
    fake.serverModels.set(provider.id, ['served-model']);
    const picker = await screen.findByRole('combobox', { name: 'Model' });
    fireEvent.focus(picker);
    await waitFor(() => expect(screen.getByRole('option', { name: 'Local · served-model' })).toBeTruthy());
    fireEvent.focus(picker);
    expect(fake.callsTo('providers.models')).toHaveLength(1);
  });

  it('saves the system prompt', async () => {
    const { fake, sessionId } = openWith();
    fireEvent.click(await screen.findByRole('button', { name: 'Add system prompt' }));
    const prompt = screen.getByRole('textbox', { name: 'System prompt' });
    fireEvent.change(prompt, { target: { value: 'Answer in French.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save system prompt' }));
    await waitFor(() =>
      expect(fake.callsTo('sessions.update')).toEqual([{ id: sessionId, systemPrompt: 'Answer in French.' }]),
    );
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'System prompt' })).toBeNull());
    expect(screen.getByRole('button', { name: 'System prompt (set)' })).toBeTruthy();
  });
});

describe('Without a provider', () => {
  it('says so above the composer, sends anyway (nothing is lost), and offers setup', async () => {
    const fake = new FakeConfab();
    const session = fake.addSession({ title: 'Chat' });
    fake.uiState.set(TABS_UI_KEY, { open: [session.id], active: session.id });
    renderApp(fake);
    const note = await screen.findByRole('note');
    expect(note.textContent).toContain('No model provider is set up yet');

    fireEvent.change(composer(), { target: { value: 'kept' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await waitFor(() => expect(fake.callsTo('chat.send')).toEqual([{ sessionId: session.id, content: 'kept' }]));

    fireEvent.click(within(note).getByRole('button', { name: 'Set up a provider' }));
    expect(await screen.findByRole('dialog', { name: 'Settings' })).toBeTruthy();
  });
});
