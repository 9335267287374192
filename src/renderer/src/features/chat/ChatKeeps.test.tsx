/**
 * What the chat view keeps for the user, through the real core: the system prompt as typed, and
 * drafts across tab switches and restarts.
 */
import '../../test/setup';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';
import { draftKey } from './store';

const FIRST_TEST = { timeout: 60_000 };

const core = realCoreForTests();

const composer = () => screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
const promptEditor = () => screen.getByRole('textbox', { name: 'System prompt' }) as HTMLTextAreaElement;

async function openChats(titles: string[] = ['Chat']) {
  await core().addProvider({ name: 'Local', models: ['small'] });
  const sessions = [];
  for (const title of titles) sessions.push(await core().addSession({ title }));
  await core().direct.ui.set({
    key: TABS_UI_KEY,
    value: savedTabs(
      sessions.map((s) => s.id),
      sessions[0]!.id,
    ),
  });
  const app = renderApp(core());
  await screen.findByRole('button', { name: 'Send' });
  return { ...app, ids: sessions.map((s) => s.id) };
}

describe('System prompt', () => {
  it('typed but not saved, it is saved on send and reaches the model', FIRST_TEST, async () => {
    const { ids } = await openChats();
    fireEvent.click(screen.getByRole('button', { name: 'Add system prompt' }));
    fireEvent.change(promptEditor(), { target: { value: 'Answer in French.' } });
    fireEvent.change(composer(), { target: { value: 'Hello' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });

    await waitFor(() => expect(core().providers.requests).toHaveLength(1));
    expect(core().providers.requests[0]!.messages).toEqual([
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Hello' },
    ]);
    expect(core().callsTo('sessions.update')).toEqual([{ id: ids[0], systemPrompt: 'Answer in French.' }]);
    expect((await core().direct.sessions.get({ id: ids[0]! })).systemPrompt).toBe('Answer in French.');
    // The editor still shows what was sent, now as the saved prompt.
    expect(promptEditor().value).toBe('Answer in French.');
    expect(screen.getByRole('button', { name: 'Save system prompt' })).toHaveProperty('disabled', true);
  });

  it('is saved when the editor loses focus; Cancel drops a change instead', async () => {
    const { ids } = await openChats();
    fireEvent.click(screen.getByRole('button', { name: 'Add system prompt' }));
    fireEvent.change(promptEditor(), { target: { value: 'Be brief.' } });
    fireEvent.blur(promptEditor());
    await waitFor(() => expect(core().callsTo('sessions.update')).toEqual([{ id: ids[0], systemPrompt: 'Be brief.' }]));
    await screen.findByRole('button', { name: 'System prompt (set)' });

    fireEvent.change(promptEditor(), { target: { value: 'Be verbose.' } });
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    fireEvent.blur(promptEditor(), { relatedTarget: cancel });
    fireEvent.click(cancel);
    expect(screen.queryByRole('textbox', { name: 'System prompt' })).toBeNull();
    expect(core().callsTo('sessions.update')).toHaveLength(1);
    expect((await core().direct.sessions.get({ id: ids[0]! })).systemPrompt).toBe('Be brief.');
  });
});

describe('Drafts', () => {
  it('are saved as typed and come back after a restart; a sent draft does not', async () => {
    const { ids } = await openChats(['A', 'B']);
    fireEvent.change(composer(), { target: { value: 'half-written thought' } });
    await waitFor(async () =>
      expect(await core().direct.ui.get({ key: draftKey(ids[0]!) })).toBe('half-written thought'),
    );

    // A restart: a new store and views over the same core.
    cleanup();
    renderApp(core());
    await waitFor(() => expect(composer().value).toBe('half-written thought'));

    // Another tab and back keeps it too.
    fireEvent.click(screen.getByRole('tab', { name: 'B' }));
    await waitFor(() => expect(composer().value).toBe(''));
    fireEvent.change(composer(), { target: { value: 'for B' } });
    fireEvent.click(screen.getByRole('tab', { name: 'A' }));
    await waitFor(() => expect(composer().value).toBe('half-written thought'));

    fireEvent.keyDown(composer(), { key: 'Enter' });
    await waitFor(async () => expect(await core().direct.ui.get({ key: draftKey(ids[0]!) })).toBeNull());
    await waitFor(async () => expect(await core().direct.ui.get({ key: draftKey(ids[1]!) })).toBe('for B'));
    cleanup();
    renderApp(core());
    await screen.findByRole('button', { name: 'Send' });
    await waitFor(() =>
      expect(
        core()
          .callsTo('ui.get')
          .some((c) => (c as { key: string }).key === draftKey(ids[0]!)),
      ).toBe(true),
    );
    expect(composer().value).toBe('');
    fireEvent.click(screen.getByRole('tab', { name: 'B' }));
    await waitFor(() => expect(composer().value).toBe('for B'));
  });
});
