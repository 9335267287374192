/** Settings keeps focus, and so Esc, after Add provider and Save provider (issue 11 #8). */
import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';

const core = realCoreForTests();

async function openSettings() {
  fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
  return screen.findByRole('dialog', { name: 'Settings' });
}

/** Esc where a user's key goes: the focused element, or the page when nothing is focused. */
const pressEscape = () => fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });

describe('Settings focus', () => {
  it('closes on Esc right after Add provider, focus back on "Add a provider"', { timeout: 60_000 }, async () => {
    renderApp(core());
    let dialog = await openSettings();
    await within(dialog).findByText(/No provider yet/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add a provider' }));
    fireEvent.change(within(dialog).getByLabelText('Type'), { target: { value: 'custom' } });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Box' } });
    fireEvent.change(within(dialog).getByLabelText('Base URL'), { target: { value: 'http://127.0.0.1:9/v1' } });
    const add = within(dialog).getByRole('button', { name: 'Add provider' });
    add.focus();
    fireEvent.click(add);
    await within(dialog).findByRole('listitem', { name: 'Box' });
    await waitFor(() =>
      expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Add a provider' })),
    );
    pressEscape();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    // Save provider: focus goes back to the provider's Edit button, and Esc still closes.
    dialog = await openSettings();
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Edit Box' }));
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Box 2' } });
    const save = within(dialog).getByRole('button', { name: 'Save provider' });
    save.focus();
    fireEvent.click(save);
    await within(dialog).findByRole('listitem', { name: 'Box 2' });
    await waitFor(() =>
      expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Edit Box 2' })),
    );
    pressEscape();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('closes on Esc even when focus fell out of the dialog to the page', async () => {
    renderApp(core());
    await openSettings();
    (document.activeElement as HTMLElement | null)?.blur();
    expect(document.activeElement).toBe(document.body);
    pressEscape();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
