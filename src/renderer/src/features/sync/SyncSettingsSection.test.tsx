import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SyncErrorCode, SyncServerInfo, SyncStatus } from '@shared/types';
import { fakeApi } from '../../test/fakeApi';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { SYNC_ERROR_SENTENCES } from '@shared/sync/sentences';

const core = realCoreForTests();

const PASSWORD = 'hunter2-Sup3rSecret';
const URL = `postgres://ada:${PASSWORD}@team.example:5432/confab`;
const SERVER: SyncServerInfo = {
  id: 'srv-1',
  host: 'team.example:5432',
  database: 'confab',
  user: 'ada',
  postgresVersion: 16,
  schemaVersion: 13,
};

function status(fields: Partial<SyncStatus> = {}): SyncStatus {
  return {
    state: 'idle',
    url: 'postgres://ada@team.example:5432/confab',
    server: SERVER,
    pending: 0,
    lastSyncedAt: new Date().toISOString(),
    lagMs: 800,
    waitingFor: null,
    progress: null,
    rejected: [],
    error: null,
    nextAttemptAt: null,
    ...fields,
  };
}
const OFF = status({ state: 'off', url: null, server: null, lastSyncedAt: null, lagMs: null });

async function openSection() {
  fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
  const dialog = await screen.findByRole('dialog', { name: 'Settings' });
  return within(dialog).getByRole('region', { name: 'Team sync' });
}

describe('Settings: team sync', () => {
  it('says, for each way a connection fails, what is wrong and what to do (on the real core)', async () => {
    const app = core();
    renderApp(app);
    const section = await openSection();
    const input = within(section).getByLabelText('Connection string');
    fireEvent.change(input, { target: { value: URL } });

    const codes = Object.keys(SYNC_ERROR_SENTENCES).filter((c) => c !== 'other') as SyncErrorCode[];
    for (const code of codes) {
      app.failNext('sync.test', 'conflict', `main's own words for ${code}`, { sync: code });
      fireEvent.click(within(section).getByRole('button', { name: 'Test' }));
      const alert = await within(section).findByRole('alert');
      expect(alert.textContent).toBe(SYNC_ERROR_SENTENCES[code]);
      // Editing the string clears the old verdict.
      fireEvent.change(input, { target: { value: `${URL} ` } });
      expect(within(section).queryByRole('alert')).toBeNull();
      fireEvent.change(input, { target: { value: URL } });
    }
    // Without a code (anything else), main's own sentence is shown as it is.
    app.failNext('sync.test', 'conflict', 'The database named in the connection string does not exist on that server.');
    fireEvent.click(within(section).getByRole('button', { name: 'Test' }));
    expect((await within(section).findByRole('alert')).textContent).toBe(
      'The database named in the connection string does not exist on that server.',
    );
    // The real core refuses a string that is not a PostgreSQL URL before anything else.
    fireEvent.change(input, { target: { value: 'mysql://nope' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Test' }));
    expect((await within(section).findByRole('alert')).textContent).toMatch(/PostgreSQL connection string/);
    // Nothing was stored: the core still says sync is off.
    expect((await app.direct.sync.status({})).state).toBe('off');
  });

  it('tests, connects without ever showing the password again, syncs now, and disconnects keeping local data', async () => {
    let current = OFF;
    const api = fakeApi({
      'sync.status': () => current,
      'sync.test': () => ({ ok: true, server: SERVER }),
      'sync.connect': () => (current = status({ state: 'syncing', pending: 3 })),
      'sync.now': () => (current = status({ state: 'idle' })),
      'sync.disconnect': () => (current = OFF),
    });
    renderApp(api);
    const section = await openSection();
    // The field hides what is typed: the string carries the password.
    const input = within(section).getByLabelText('Connection string') as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.change(input, { target: { value: URL } });

    fireEvent.click(within(section).getByRole('button', { name: 'Test' }));
    expect((await within(section).findByRole('status')).textContent).toBe(
      'The server answered: ada on team.example:5432/confab (PostgreSQL 16). Nothing is stored until you connect.',
    );
    expect(api.callsTo('sync.test')).toEqual([{ url: URL }]);
    expect(api.callsTo('sync.connect')).toEqual([]);

    fireEvent.click(within(section).getByRole('button', { name: 'Connect' }));
    await within(section).findByText(/Connected as ada on team\.example:5432\/confab/);
    expect(api.callsTo('sync.connect')).toEqual([{ url: URL }]);
    expect(section.textContent).toContain('Syncing…');
    // The password is nowhere on the page once connected, not even in a hidden field.
    expect(document.body.innerHTML).not.toContain(PASSWORD);
    expect(within(section).queryByLabelText('Connection string')).toBeNull();

    fireEvent.click(within(section).getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(section.textContent).toContain('Synced'));
    expect(api.callsTo('sync.now')).toHaveLength(1);

    // Disconnect asks first, and says what stays.
    current = status({ pending: 2 });
    api.emit('sync.status', current);
    fireEvent.click(within(section).getByRole('button', { name: 'Disconnect' }));
    const confirm = within(section).getByRole('group', { name: 'Disconnect from the team server' });
    expect(confirm.textContent).toContain('Your chats stay on this device, and so do the 2 changes not yet sent');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(api.callsTo('sync.disconnect')).toEqual([]);
    fireEvent.click(within(section).getByRole('button', { name: 'Disconnect' }));
    fireEvent.click(within(section).getByRole('button', { name: 'Disconnect, keep local data' }));
    expect((await within(section).findByRole('status')).textContent).toBe(
      'Disconnected. Your chats, and any changes not yet sent, stay on this device.',
    );
    expect(api.callsTo('sync.disconnect')).toHaveLength(1);
    expect((within(section).getByLabelText('Connection string') as HTMLInputElement).value).toBe('');
  });

  it('shows the sentence of a connection that stopped with an error while connected', async () => {
    renderApp(
      fakeApi({
        'sync.status': () =>
          status({ state: 'error', error: { code: 'client_too_old', message: 'main says: update the app' } }),
      }),
    );
    const section = await openSection();
    expect((await within(section).findByRole('alert')).textContent).toBe(SYNC_ERROR_SENTENCES.client_too_old);
  });
});
