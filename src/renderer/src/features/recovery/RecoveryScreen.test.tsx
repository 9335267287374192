import '../../test/setup';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StartupState } from '@shared/startup';
import { fakeApi, type FakeApi } from '../../test/fakeApi';
import { FakeRecovery, recoveryState } from '../../test/fakeRecovery';
import { RecoveryScreen, type RecoveryState } from './RecoveryScreen';
import { readStartupState } from './startupState';

const BACKUP = {
  file: 'pre-migration-v2-to-v3-2026-11-01.tar.gz',
  createdAt: '2026-11-01T09:30:00.000Z',
  sizeBytes: 5_180_034,
};

/** The fake API with the recovery methods of a FakeRecovery; `recovery` holds its state. */
function recoveryFake(): FakeApi & { recovery: FakeRecovery } {
  const recovery = new FakeRecovery();
  return Object.assign(fakeApi(recovery.handlers), { recovery });
}

function renderScreen(state: StartupState, fake = recoveryFake()) {
  fake.recovery.state = state;
  const onReady = vi.fn();
  render(<RecoveryScreen api={fake.api} initial={state as RecoveryState} onReady={onReady} />);
  return { fake, onReady };
}

const button = (name: string) => screen.getByRole<HTMLButtonElement>('button', { name });
const isPrimary = (name: string) => button(name).classList.contains('button--primary');
/** The text a screen reader reads after the button's name. */
const description = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('RecoveryScreen', () => {
  it('says what happened, where the data is, and what can be done, starting with the likeliest way out', () => {
    renderScreen(recoveryState({ kind: 'corrupt', detail: 'invalid page in block 0', backups: [BACKUP] }));
    const heading = screen.getByRole('heading', { level: 1, name: 'Confab cannot open its database' });
    expect(document.activeElement).toBe(heading);
    screen.getByText('The database files are damaged, so Confab cannot open them.');
    screen.getByText('invalid page in block 0');
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'Data folder path' }).value).toBe(
      '/home/me/.config/Confab',
    );
    // A browser cannot open folders: the web host offers Copy only.
    expect(screen.queryByRole('button', { name: 'Open the data folder' })).toBeNull();
    expect(button('Copy').disabled).toBe(false);
    expect(isPrimary('Restore the newest backup')).toBe(true);
    expect(description(button('Restore the newest backup'))).toMatch(/4\.9 MB.*kept aside/);
    expect(description(button('Start with a fresh database'))).toMatch(/Nothing is deleted/);
    expect(document.title).toMatch(/cannot be opened/);
  });

  it('starts fresh and hands over to the app once the database is open', async () => {
    const { fake, onReady } = renderScreen(recoveryState());
    fireEvent.click(button('Start with a fresh database'));
    screen.getByText('Setting the old database aside and starting a fresh one…');
    await waitFor(() => expect(onReady).toHaveBeenCalledTimes(1));
    expect(fake.callsTo('recovery.startFresh')).toHaveLength(1);
    // Nothing can be clicked twice while the app loads.
    expect(button('Try again').disabled).toBe(true);
  });

  it('restores the newest backup by its name', async () => {
    const { fake, onReady } = renderScreen(
      recoveryState({ backups: [BACKUP, { ...BACKUP, file: 'pre-migration-v1-to-v2-x.tar.gz' }] }),
    );
    fireEvent.click(button('Restore the newest backup'));
    await waitFor(() => expect(onReady).toHaveBeenCalled());
    expect(fake.callsTo('recovery.restoreBackup')).toEqual([{ file: BACKUP.file }]);
  });

  it('shows the new problem when an action did not open the database', async () => {
    const { fake, onReady } = renderScreen(
      recoveryState({ kind: 'locked', message: 'Another Confab is already using this data folder.' }),
    );
    // Nothing may be moved aside while another Confab holds the folder.
    expect(button('Start with a fresh database').disabled).toBe(true);
    expect(isPrimary('Try again')).toBe(true);
    fake.recovery.outcome = recoveryState({
      kind: 'disk_full',
      message: 'The disk that holds your data is full, so the database cannot start.',
    });
    fireEvent.click(button('Try again'));
    expect((await screen.findByRole('alert')).textContent).toBe('Confab still cannot open the database.');
    screen.getByText(/The disk that holds your data is full/);
    screen.getByText('Free some space on that disk, then try again.');
    expect(button('Try again').disabled).toBe(false);
    expect(button('Start with a fresh database').disabled).toBe(false);
    expect(onReady).not.toHaveBeenCalled();
  });

  it('shows a refusal, and the buttons work again', async () => {
    const { fake } = renderScreen(recoveryState({ backups: [BACKUP] }));
    fake.failNext(
      'recovery.restoreBackup',
      'backup_unreadable',
      'The backup could not be restored (unexpected end of file). Nothing was changed.',
    );
    fireEvent.click(button('Restore the newest backup'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Nothing was changed\.$/);
    expect(button('Restore the newest backup').disabled).toBe(false);
  });

  it('offers no restore without a backup, and says why', () => {
    renderScreen(recoveryState({ backups: [] }));
    expect(button('Restore the newest backup').disabled).toBe(true);
    expect(description(button('Restore the newest backup'))).toMatch(/no automatic backup yet/);
    expect(isPrimary('Start with a fresh database')).toBe(true);
  });

  it('copies the folder path, or selects it where the clipboard is refused', async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderScreen(recoveryState());
    fireEvent.click(button('Copy'));
    await screen.findByText('Copied.');
    expect(writeText).toHaveBeenCalledWith('/home/me/.config/Confab');

    writeText.mockRejectedValueOnce(new Error('denied'));
    fireEvent.click(button('Copy'));
    await screen.findByText(/press Ctrl\+C/);
    const field = screen.getByRole<HTMLInputElement>('textbox', { name: 'Data folder path' });
    expect([field.selectionStart, field.selectionEnd]).toEqual([0, field.value.length]);
  });

  it('in the desktop app, opens the data folder', async () => {
    const { fake } = renderScreen(recoveryState({}, true));
    fireEvent.click(button('Open the data folder'));
    await waitFor(() => expect(fake.recovery.opened).toEqual(['/home/me/.config/Confab']));
  });
});

describe('readStartupState', () => {
  it("answers the host's state, and 'ready' when the host cannot say", async () => {
    const fake = recoveryFake();
    fake.recovery.state = recoveryState();
    expect(await readStartupState(fake.api)).toMatchObject({ state: 'recovery' });
    fake.failNext('app.startup', 'internal', 'no answer');
    expect(await readStartupState(fake.api)).toEqual({ state: 'ready' });
  });
});
