/**
 * What the chat view keeps for the user, through the real core: the system prompt as typed, and
 * drafts across tab switches and restarts.
 */
import '../../test/setup';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ConfabError } from '@shared/errors';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests, type RealCore } from '../../test/realCore';
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

/** A chat whose answer has two versions (the second shown). */
async function chatWithVersions(c: RealCore, title: string, fields: { trashed?: boolean; archived?: boolean }) {
  const session = await c.addSession({ title });
  const q = await c.addMessage(session.id, 'user', 'Q');
  await c.addMessage(session.id, 'assistant', 'A1', { parentId: q.id });
  await c.addMessage(session.id, 'assistant', 'A2', { parentId: q.id });
  if (fields.trashed) await c.direct.sessions.trash({ id: session.id });
  if (fields.archived) await c.direct.sessions.setArchived({ id: session.id, archived: true });
  return session.id;
}

const banner = () => screen.queryByTestId('chat-status-banner');
const assistant = () => screen.getAllByTestId('message').find((m) => m.dataset.role === 'assistant')!;

describe('A chat in the Trash or the archive', () => {
  it('opened from the Trash: a banner with Restore, a composer that says why, and its versions', async () => {
    await core().addProvider({ name: 'Local', models: ['small'] });
    const id = await chatWithVersions(core(), 'Binned', { trashed: true });
    const { store } = renderApp(core());
    store.getState().setSessionView('trash');
    fireEvent.click(await screen.findByRole('link', { name: /Binned/ }));

    await waitFor(() => expect(banner()?.textContent).toContain('This chat is in the Trash.'));
    expect(screen.getByRole('note').textContent).toBe('This chat is in the Trash. Restore it to write in it.');
    fireEvent.change(composer(), { target: { value: 'typed anyway' } });
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await waitFor(() => expect(within(assistant()).getByText('2/2')).toBeTruthy());
    expect(within(assistant()).getByRole('button', { name: 'Regenerate' })).toHaveProperty('disabled', true);
    expect(core().callsTo('chat.send')).toEqual([]);

    // An error from before (another window sent into it) clears once the chat is back.
    store.getState().reportError(new ConfabError('conflict', 'That chat is in the trash. Restore it to add messages.'));
    await screen.findByRole('alert');
    fireEvent.click(within(banner()!).getByRole('button', { name: 'Restore' }));
    await waitFor(() => expect(banner()).toBeNull());
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect((await core().direct.sessions.get({ id })).deletedAt).toBeNull();
    expect(within(assistant()).getByText('2/2')).toBeTruthy();
    expect(screen.queryByRole('note')).toBeNull();
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await waitFor(() => expect(core().callsTo('chat.send')).toEqual([{ sessionId: id, content: 'typed anyway' }]));
  });

  it('an archived chat: a banner with Unarchive, and a read-only composer until then', async () => {
    await core().addProvider({ name: 'Local', models: ['small'] });
    const id = await chatWithVersions(core(), 'Old', { archived: true });
    await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([id]) });
    renderApp(core());
    await waitFor(() => expect(banner()?.textContent).toContain('This chat is archived.'));
    expect(screen.getByRole('note').textContent).toBe('This chat is archived. Unarchive it to write in it.');
    await waitFor(() => expect(within(assistant()).getByText('2/2')).toBeTruthy());
    fireEvent.click(within(banner()!).getByRole('button', { name: 'Unarchive' }));
    await waitFor(() => expect(banner()).toBeNull());
    expect((await core().direct.sessions.get({ id })).status).toBe('active');
    expect(screen.queryByRole('note')).toBeNull();
  });
});

describe('A sent message', () => {
  it('shows at once, before main has saved it, and is replaced by the saved one', async () => {
    const { ids } = await openChats();
    await screen.findByText(/No messages yet/);
    const release = core().holdNext('chat.send');
    const paste = Array.from({ length: 2_000 }, (_, i) => `row ${i} ${'x'.repeat(45)}`).join('\n');
    fireEvent.change(composer(), { target: { value: paste } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    // chat.send has not answered, yet the bubble is there (folded: a 100 KB paste).
    const bubble = await screen.findByTestId('message');
    expect(bubble.dataset.role).toBe('user');
    expect(bubble.textContent).toContain('row 0 ');
    expect(screen.getByRole('button', { name: 'Show more' })).toBeTruthy();
    expect(core().callsTo('chat.send')).toHaveLength(1);
    expect(await core().direct.messages.listBranch({ sessionId: ids[0]! })).toMatchObject({ items: [] });

    release();
    await waitFor(() =>
      expect(screen.getAllByTestId('message').map((m) => m.dataset.role)).toEqual(['user', 'assistant']),
    );
    const saved = (await core().direct.messages.listBranch({ sessionId: ids[0]! })).items[0]!;
    expect(screen.getAllByTestId('message-row')[0]!.dataset.messageId).toBe(saved.id);
  });

  it('goes again if the send fails, and the text returns to the composer', async () => {
    await openChats();
    core().failNext('chat.send', 'conflict', 'Nope.');
    fireEvent.change(composer(), { target: { value: 'will fail' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await screen.findByRole('alert');
    await waitFor(() => expect(screen.queryAllByTestId('message')).toEqual([]));
    expect(composer().value).toBe('will fail');
  });
});
