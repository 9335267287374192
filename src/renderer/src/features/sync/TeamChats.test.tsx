import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TeamSessionSummary } from '@shared/types';
import { fakeApi } from '../../test/fakeApi';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { aBranch, aSummary, onePage } from '../../test/seed';
import { activeChatId } from '../workspace/store';

const core = realCoreForTests();

beforeAll(() => {
  // cmdk measures its list and scrolls the selected item into view; jsdom has neither.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollIntoView ??= function scrollIntoView() {};
});

const sidebar = () => screen.getByRole('navigation', { name: 'Chats' });

describe("teammates' shared chats", () => {
  it('are listed under Team with their author, open read-only, and continue in my own copy', async () => {
    const shared: TeamSessionSummary = {
      ...aSummary({ title: 'Release plan', ownerId: '0193a0b4-9999-7000-8000-00000000beef', visibility: 'team' }),
      authorName: 'Grace',
    };
    const copy = aSummary({ title: 'Release plan (copy)' });
    let forked = false;
    const api = fakeApi({
      'sync.teamSessions': () => [shared],
      'sessions.list': () => onePage(forked ? [copy] : []),
      'sessions.get': ({ id }) => (id === copy.id ? copy : shared),
      'messages.listBranch': ({ sessionId }) =>
        onePage(
          aBranch(sessionId, [
            { role: 'user', content: 'What ships first?' },
            { role: 'assistant', content: 'Sync.' },
          ]),
        ),
      'sync.fork': ({ sessionId }) => {
        expect(sessionId).toBe(shared.id);
        forked = true;
        return { sessionId: copy.id };
      },
    });
    const { store } = renderApp(api);
    const team = await within(sidebar()).findByRole('region', { name: 'Team' });
    expect(team.textContent).toBe('TeamRelease planby Grace');

    fireEvent.click(within(team).getByRole('link', { name: 'Release plan' }));
    await screen.findByText('Sync.');
    expect(screen.getByText(/Grace shared this chat with the team\. It is read-only here\./)).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Continue in my copy' }));
    await waitFor(() => expect(activeChatId(store.getState())).toBe(copy.id));
    expect(api.callsTo('sync.fork')).toEqual([{ sessionId: shared.id }]);
    // The copy is the user's own: it has a composer, and it is listed among their chats.
    expect(await screen.findByRole('textbox', { name: 'Message' })).toBeTruthy();
    await waitFor(() =>
      expect(
        within(sidebar())
          .getAllByTestId('session-item')
          .map((row) => row.textContent),
      ).toEqual([expect.stringContaining('Release plan (copy)')]),
    );
  });

  it('disappear from Team when the author stops sharing', async () => {
    const shared: TeamSessionSummary = {
      ...aSummary({ title: 'Soon private', visibility: 'team' }),
      authorName: 'Linus',
    };
    let listed = [shared];
    const api = fakeApi({ 'sync.teamSessions': () => listed, 'sessions.get': () => shared });
    renderApp(api);
    await within(sidebar()).findByRole('region', { name: 'Team' });
    listed = [];
    api.emit('sessions.changed', { ids: [shared.id], source: 'remote' });
    await waitFor(() => expect(within(sidebar()).queryByRole('region', { name: 'Team' })).toBeNull());
  });
});

describe('sharing my chat (on the real core)', () => {
  it('is offered in the chat menu and as a Cmd+K command, and the owner sees who it is shared with', async () => {
    const app = core();
    const chat = await app.addSession({ title: 'Roadmap' });
    renderApp(app);
    fireEvent.click(await within(sidebar()).findByRole('button', { name: 'More actions: Roadmap' }));
    fireEvent.click(
      within(screen.getByRole('menu', { name: 'Actions for Roadmap' })).getByRole('menuitem', {
        name: 'Share with team',
      }),
    );
    await waitFor(async () => expect((await app.direct.sessions.get({ id: chat.id })).visibility).toBe('team'));
    expect(app.callsTo('sync.share')).toEqual([{ sessionId: chat.id, shared: true }]);

    // Opened, it says who can see it; without a team server connection that is not known yet.
    fireEvent.click(within(sidebar()).getByRole('link', { name: /Roadmap/ }));
    expect(
      (await screen.findByText('Shared with your team (who is in it shows once connected).')).getAttribute('role'),
    ).toBe('note');

    // The menu now offers to stop; the palette offers the same for the open chat.
    fireEvent.click(within(sidebar()).getByRole('button', { name: 'More actions: Roadmap' }));
    expect(
      within(screen.getByRole('menu', { name: 'Actions for Roadmap' })).getByRole('menuitem', { name: 'Stop sharing' }),
    ).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('menu', { name: 'Actions for Roadmap' }), { key: 'Escape' });

    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const palette = screen.getByRole('dialog', { name: 'Command palette' });
    fireEvent.change(within(palette).getByRole('combobox'), { target: { value: 'stop sharing' } });
    fireEvent.keyDown(within(palette).getByRole('combobox'), { key: 'Enter' });
    await waitFor(async () => expect((await app.direct.sessions.get({ id: chat.id })).visibility).toBe('private'));
    await waitFor(() => expect(screen.queryByText(/Shared with your team/)).toBeNull());
  });

  it('in:team in Cmd+K finds only chats shared with the team', async () => {
    const app = core();
    const shared = await app.addSession({ title: 'Shared axolotl notes' });
    await app.addSession({ title: 'Private axolotl notes' });
    await app.direct.sync.share({ sessionId: shared.id, shared: true });
    renderApp(app);
    await within(sidebar()).findByRole('button', { name: 'More actions: Private axolotl notes' });
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const palette = screen.getByRole('dialog', { name: 'Command palette' });
    const input = within(palette).getByRole('combobox');
    fireEvent.change(input, { target: { value: 'axolotl' } });
    await waitFor(() => expect(screen.queryAllByTestId('palette-hit').length).toBe(2));
    fireEvent.change(input, { target: { value: 'in:team axolotl' } });
    await waitFor(() =>
      expect(screen.queryAllByTestId('palette-hit').map((h) => h.textContent)).toEqual([
        expect.stringContaining('Shared axolotl notes'),
      ]),
    );
    expect(within(palette).getByText('in:team')).toBeTruthy();
  });
});
