import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';

const FIRST_TEST = { timeout: 60_000 };

const core = realCoreForTests();

const KEY = 'sk-test-THIS-MUST-NEVER-SHOW-0123456789';

async function openSettings() {
  fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
  return screen.findByRole('dialog', { name: 'Settings' });
}

/** Everything a user or a script on the page could read. */
function pageHolds(text: string): boolean {
  if (document.body.innerHTML.includes(text)) return true;
  return [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')].some((el) =>
    el.value.includes(text),
  );
}

describe('Settings: providers', () => {
  // The first test of a file also warms up jsdom, React and the core's first queries, which
  // takes several times longer on a loaded machine: more time, not a sleep.
  it('adds a provider from a preset; the key is sent once and never shown, only "Key set"', FIRST_TEST, async () => {
    renderApp(core());
    const dialog = await openSettings();
    // The form offers the presets once they are read.
    await within(dialog).findByText(/No provider yet/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add a provider' }));

    const type = within(dialog).getByLabelText('Type') as HTMLSelectElement;
    expect([...type.options].map((o) => o.value)).toEqual([
      'openai',
      'anthropic',
      'openrouter',
      'ollama',
      'lmstudio',
      'llamacpp',
      'custom',
    ]);
    const baseUrl = within(dialog).getByLabelText('Base URL') as HTMLInputElement;
    expect(baseUrl.value).toBe('https://api.openai.com/v1');
    fireEvent.change(type, { target: { value: 'openrouter' } });
    expect(baseUrl.value).toBe('https://openrouter.ai/api/v1');

    const key = within(dialog).getByLabelText('API key') as HTMLInputElement;
    expect(key.type).toBe('password');
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'My router' } });
    fireEvent.change(key, { target: { value: KEY } });
    fireEvent.change(within(dialog).getByLabelText('Default model'), { target: { value: 'some/model' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add provider' }));

    const item = await within(dialog).findByRole('listitem', { name: 'My router' });
    await waitFor(() => expect(within(dialog).queryByRole('form', { name: 'Add a provider' })).toBeNull());
    expect(core().callsTo('providers.create')).toEqual([
      {
        preset: 'openrouter',
        name: 'My router',
        baseUrl: 'https://openrouter.ai/api/v1',
        apiKey: KEY,
        defaultModel: 'some/model',
      },
    ]);
    expect(item.textContent).toContain('Key set');
    expect(pageHolds(KEY)).toBe(false);

    // It is tested at once; this one cannot be reached from a test, so it does not become the
    // default (new chats would fail on it) and says why.
    await waitFor(() => expect(core().callsTo('providers.models')).toHaveLength(1));
    await within(item).findByRole('status');
    expect(item.querySelector('.badge')?.textContent ?? null).not.toBe('Default');
    expect((await core().direct.settings.getChat({})).defaultProviderId).toBeNull();
  });

  it('editing keeps the key unless a new one is typed, and can remove it', async () => {
    const p = await core().direct.providers.create({ preset: 'openai', name: 'Cloud', apiKey: KEY });
    renderApp(core());
    const dialog = await openSettings();
    const item = await within(dialog).findByRole('listitem', { name: 'Cloud' });
    fireEvent.click(within(item).getByRole('button', { name: 'Edit Cloud' }));
    const key = within(dialog).getByLabelText('API key') as HTMLInputElement;
    expect(key.value).toBe('');
    expect(key.placeholder).toContain('Key set');
    fireEvent.change(within(dialog).getByLabelText('Default model'), { target: { value: 'gpt-x' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save provider' }));
    await waitFor(() => expect(core().callsTo('providers.update')).toHaveLength(1));
    expect(core().callsTo('providers.update')[0]).toEqual({
      id: p.id,
      name: 'Cloud',
      baseUrl: p.baseUrl,
      defaultModel: 'gpt-x',
    });
    expect((await core().direct.providers.list({}))[0]!.hasApiKey).toBe(true);

    // A cloud provider's key can be replaced, not removed: the field is required.
    const again = await within(dialog).findByRole('listitem', { name: 'Cloud' });
    fireEvent.click(within(again).getByRole('button', { name: 'Edit Cloud' }));
    expect(within(dialog).queryByLabelText('Remove the saved key')).toBeNull();
    expect((within(dialog).getByLabelText('API key') as HTMLInputElement).required).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    // A server that works without one (a local or custom one) can have its key removed.
    const own = await core().direct.providers.create({
      preset: 'custom',
      name: 'Own',
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: KEY,
    });
    const ownItem = await within(dialog).findByRole('listitem', { name: 'Own' });
    fireEvent.click(within(ownItem).getByRole('button', { name: 'Edit Own' }));
    fireEvent.click(within(dialog).getByLabelText('Remove the saved key'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save provider' }));
    await waitFor(() => expect(core().callsTo('providers.update')).toHaveLength(2));
    expect(core().callsTo('providers.update')[1]).toMatchObject({ id: own.id, apiKey: null });
    expect((await within(dialog).findByRole('listitem', { name: 'Own' })).textContent).toContain('No key');
  });

  it('requires a key for a provider that needs one', async () => {
    renderApp(core());
    const dialog = await openSettings();
    await within(dialog).findByText(/No provider yet/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add a provider' }));
    fireEvent.change(within(dialog).getByLabelText('Type'), { target: { value: 'anthropic' } });
    const key = within(dialog).getByLabelText('API key') as HTMLInputElement;
    await waitFor(() => expect(key.placeholder).toBe('Required'));
    expect(key.required).toBe(true);
  });

  it('tests a provider by fetching its models, and can make one the default model', async () => {
    const p = await core().direct.providers.create({
      preset: 'custom',
      name: 'Local',
      baseUrl: 'http://127.0.0.1:9/local/v1',
    });
    core().providers.models.set(p.baseUrl, ['llama3.2', 'qwen3']);
    renderApp(core());
    const dialog = await openSettings();
    const item = await within(dialog).findByRole('listitem', { name: 'Local' });
    fireEvent.click(within(item).getByRole('button', { name: 'Test and fetch models' }));
    const status = await within(item).findByRole('status');
    await waitFor(() => expect(status.textContent).toContain('2 models available'));
    fireEvent.click(within(item).getByRole('button', { name: 'Make qwen3 the default model' }));
    await waitFor(() => expect(core().callsTo('providers.update')).toEqual([{ id: p.id, defaultModel: 'qwen3' }]));
    expect((await core().direct.providers.list({}))[0]!.defaultModel).toBe('qwen3');
  });

  it('shows why the models could not be fetched', async () => {
    await core().direct.providers.create({
      preset: 'custom',
      name: 'Gone',
      baseUrl: 'http://127.0.0.1:9/gone/v1',
      models: ['manual-one'],
    });
    renderApp(core());
    const dialog = await openSettings();
    const item = await within(dialog).findByRole('listitem', { name: 'Gone' });
    fireEvent.click(within(item).getByRole('button', { name: 'Test and fetch models' }));
    expect((await within(item).findByRole('status')).textContent).toContain('Gone could not list its models just now.');
  });

  it('deletes a provider after a confirmation', async () => {
    const p = await core().direct.providers.create({
      preset: 'custom',
      name: 'Old',
      baseUrl: 'http://127.0.0.1:9/old/v1',
    });
    renderApp(core());
    const dialog = await openSettings();
    const item = await within(dialog).findByRole('listitem', { name: 'Old' });
    fireEvent.click(within(item).getByRole('button', { name: 'Delete Old' }));
    expect(core().callsTo('providers.delete')).toEqual([]);
    fireEvent.click(within(item).getByRole('button', { name: 'Delete Old' }));
    await waitFor(() => expect(core().callsTo('providers.delete')).toEqual([{ id: p.id }]));
    await waitFor(() => expect(within(dialog).queryByRole('listitem', { name: 'Old' })).toBeNull());
  });

  it('offers a detected local server with one click', async () => {
    core().providers.detected = [{ preset: 'ollama', baseUrl: 'http://localhost:11434/v1', models: ['llama3.2'] }];
    renderApp(core());
    const dialog = await openSettings();
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Add Ollama at http://localhost:11434/v1' }));
    await waitFor(() =>
      expect(core().callsTo('providers.create')).toEqual([
        { preset: 'ollama', baseUrl: 'http://localhost:11434/v1', defaultModel: 'llama3.2', models: ['llama3.2'] },
      ]),
    );
    // Once set up it is no longer offered.
    await within(dialog).findByRole('listitem', { name: 'Ollama' });
    expect(within(dialog).queryByRole('button', { name: /^Add Ollama at/ })).toBeNull();
  });
});

describe('Settings: dialog and chat settings', () => {
  it('turns auto-titles off', async () => {
    await core().direct.settings.setChat({ autoTitle: true });
    renderApp(core());
    const dialog = await openSettings();
    const toggle = (await within(dialog).findByLabelText(/Name new chats automatically/)) as HTMLInputElement;
    await waitFor(() => expect(toggle.disabled).toBe(false));
    expect(toggle.checked).toBe(true);
    fireEvent.click(toggle);
    expect(toggle.checked).toBe(false);
    await waitFor(() => expect(core().callsTo('settings.setChat')).toEqual([{ autoTitle: false }]));
    expect((await core().direct.settings.getChat({})).autoTitle).toBe(false);
  });

  it('Esc closes the dialog and returns focus, without stopping a reply', async () => {
    await core().addProvider();
    const session = await core().addSession({ title: 'Busy' });
    const reply = core().providers.nextReply();
    await core().direct.chat.send({ sessionId: session.id, content: 'Tell me a long story' });
    await reply.started;
    await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([session.id]) });
    renderApp(core());
    await screen.findByRole('button', { name: 'Stop' });
    const gear = screen.getByRole('button', { name: 'Settings' });
    gear.focus();
    fireEvent.click(gear);
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    expect(dialog.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(gear);
    expect(core().callsTo('chat.stop')).toEqual([]);
    reply.end();
  });
});
