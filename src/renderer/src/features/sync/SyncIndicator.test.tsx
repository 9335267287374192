import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SyncRejectedChange, SyncStatus } from '@shared/types';
import { fakeApi } from '../../test/fakeApi';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { SYNC_ERROR_SENTENCES } from '@shared/sync/sentences';

const core = realCoreForTests();

function status(fields: Partial<SyncStatus> = {}): SyncStatus {
  return {
    state: 'idle',
    url: 'postgres://ada@team.example/confab',
    server: { id: 's', host: 'team.example', database: 'confab', user: 'ada', postgresVersion: 15, schemaVersion: 13 },
    pending: 0,
    lastSyncedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    lagMs: 1_400,
    waitingFor: null,
    progress: null,
    rejected: [],
    error: null,
    nextAttemptAt: null,
    ...fields,
  };
}

const sidebar = () => screen.getByRole('navigation', { name: 'Chats' });
const indicator = () => within(sidebar()).queryByRole('button', { name: /^Team sync:/ });

describe('the sync indicator', () => {
  it('shows every state from the sync.status event, with its counts (on the real core)', async () => {
    const app = core();
    renderApp(app);
    await within(sidebar()).findByRole('button', { name: 'New chat' });
    // The real core starts with sync off: nothing in the footer.
    expect(indicator()).toBeNull();

    const cases: [Partial<SyncStatus>, string][] = [
      [{ state: 'connecting' }, 'Connecting…'],
      [{ state: 'idle' }, 'Synced'],
      [{ state: 'idle', pending: 2 }, 'Synced · 2 changes to send'],
      [{ state: 'syncing' }, 'Syncing…'],
      [{ state: 'offline', pending: 1 }, 'Offline · 1 change kept'],
      [{ state: 'offline', pending: 1234 }, `Offline · ${(1234).toLocaleString()} changes kept`],
      [
        { state: 'waiting', waitingFor: { pid: 4242, ageSeconds: 75 } },
        'Waiting for a server transaction (pid 4242, 75 s)',
      ],
      [{ state: 'error', error: { code: 'auth', message: 'x' } }, 'Sync stopped'],
    ];
    for (const [fields, line] of cases) {
      app.emit('sync.status', status(fields));
      await waitFor(() => expect(indicator()?.textContent).toBe(line));
    }
    // The dot's colour class follows the state.
    expect(indicator()!.className).toContain('sync-indicator--stopped');

    app.emit('sync.status', status({ state: 'off' }));
    await waitFor(() => expect(indicator()).toBeNull());
  });

  it('shows the first sync as chats and messages done of total, and the detail on click', async () => {
    const app = core();
    renderApp(app);
    await within(sidebar()).findByRole('button', { name: 'New chat' });
    app.emit(
      'sync.status',
      status({
        state: 'syncing',
        pending: 0,
        progress: {
          phase: 'pull',
          done: 2_300,
          total: 20_040,
          chats: { done: 3, total: 40 },
          messages: { done: 2_297, total: 20_000 },
        },
      }),
    );
    const bar = await within(sidebar()).findByRole('progressbar', { name: 'Sync progress' });
    expect(bar.getAttribute('aria-valuetext')).toBe(
      `Chats 3 of 40 · Messages ${(2297).toLocaleString()} of ${(20000).toLocaleString()}`,
    );
    expect(bar.getAttribute('aria-valuenow')).toBe('2297');
    expect(bar.getAttribute('aria-valuemax')).toBe('20000');
    // The sidebar stays usable meanwhile: a new chat can be made.
    fireEvent.click(within(sidebar()).getByRole('button', { name: 'New chat' }));
    await waitFor(() => expect(within(sidebar()).getAllByTestId('session-item').length).toBe(1));

    app.emit(
      'sync.status',
      status({ state: 'offline', pending: 5, lagMs: 2_500, error: { code: 'unreachable', message: 'x' } }),
    );
    fireEvent.click(await within(sidebar()).findByRole('button', { name: /^Team sync: Offline · 5 changes kept/ }));
    const detail = within(sidebar()).getByRole('dialog', { name: 'Sync details' });
    expect(within(sidebar()).queryByRole('progressbar')).toBeNull();
    expect(detail.textContent).toContain('Last synced5 min ago');
    expect(detail.textContent).toContain('Lag2.5 s');
    expect(detail.textContent).toContain('Waiting to be sent5 changes');
    expect(detail.textContent).toContain('Serverteam.example/confab as ada');
    expect(within(detail).getByRole('alert').textContent).toBe(SYNC_ERROR_SENTENCES.unreachable);
    expect(within(detail).getByRole('region', { name: 'Changes the server did not accept' }).textContent).toContain(
      'None.',
    );
    // Sync now from the detail reaches the core.
    fireEvent.click(within(detail).getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(app.callsTo('sync.now')).toHaveLength(1));
    // Esc closes it and focus returns to the indicator.
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(within(sidebar()).queryByRole('dialog', { name: 'Sync details' })).toBeNull());
    expect(document.activeElement).toBe(indicator());
  });

  it("lists rejected changes with their reason, and takes the server's version of one", async () => {
    const sessionId = '0193a0b4-1111-7000-8000-000000000001';
    const rejected: SyncRejectedChange[] = [
      {
        no: 7,
        table: 'chat_sessions',
        key: sessionId,
        sessionId,
        reason: 'permission: the row belongs to another user',
        at: '2026-11-30T10:00:00Z',
      },
      {
        no: 9,
        table: 'messages',
        key: '0193a0b4-2222-7000-8000-000000000002',
        sessionId: null,
        reason: 'buried: this message was deleted for good on the server',
        at: '2026-11-30T10:01:00Z',
      },
    ];
    let current = status({ rejected });
    const api = fakeApi({
      'sync.status': () => current,
      'sync.useServerVersion': ({ no }) =>
        (current = status({ rejected: current.rejected.filter((r) => r.no !== no) })),
    });
    renderApp(api);
    fireEvent.click(
      await within(sidebar()).findByRole('button', { name: 'Team sync: Synced, 2 not accepted. Show details' }),
    );
    const list = within(sidebar()).getByRole('region', { name: 'Changes the server did not accept' });
    const first = within(list).getByRole('listitem', { name: 'Change 7' });
    expect(first.textContent).toContain('permission: the row belongs to another user');
    expect(within(first).getByRole('button', { name: 'Open chat' })).toBeTruthy();
    const second = within(list).getByRole('listitem', { name: 'Change 9' });
    expect(second.textContent).toContain('buried: this message was deleted for good on the server');
    expect(within(second).queryByRole('button', { name: 'Open chat' })).toBeNull();

    fireEvent.click(within(second).getByRole('button', { name: "Use the server's version" }));
    await waitFor(() => expect(within(list).queryByRole('listitem', { name: 'Change 9' })).toBeNull());
    expect(api.callsTo('sync.useServerVersion')).toEqual([{ no: 9 }]);
    expect(within(list).getByRole('listitem', { name: 'Change 7' })).toBeTruthy();
    expect(indicator()!.textContent).toBe('Synced1 not accepted');
  });
});
