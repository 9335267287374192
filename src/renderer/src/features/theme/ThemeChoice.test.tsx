/** Theme: System / Light / Dark, not only a toggle (issue 11 #29). */
import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeApi } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';
import { THEME_UI_KEY } from './store';

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollIntoView ??= function scrollIntoView() {};
});

beforeEach(() => {
  document.documentElement.removeAttribute('data-theme');
});

describe('theme choice', () => {
  it('Settings offers System, Light and Dark; the choice is applied and kept', async () => {
    const saved = new Map<string, unknown>([[THEME_UI_KEY, 'dark']]);
    const api = fakeApi({
      'ui.get': ({ key }) => (saved.get(key) ?? null) as never,
      'ui.set': ({ key, value }) => {
        saved.set(key, value);
        return null;
      },
    });
    renderApp(api);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    const group = within(await screen.findByRole('dialog', { name: 'Settings' })).getByRole('radiogroup', {
      name: 'Appearance',
    });
    const radio = (name: RegExp) => within(group).getByRole('radio', { name }) as HTMLInputElement;
    expect(radio(/Dark/).checked).toBe(true);

    fireEvent.click(radio(/System/));
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
    await waitFor(() => expect(saved.get(THEME_UI_KEY)).toBe('system'));
    fireEvent.click(radio(/Light/));
    expect(document.documentElement.dataset.theme).toBe('light');
    await waitFor(() => expect(saved.get(THEME_UI_KEY)).toBe('light'));
  });

  it('Cmd+K names the three themes and marks the current one', async () => {
    renderApp(fakeApi());
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const palette = await screen.findByRole('dialog', { name: 'Command palette' });
    fireEvent.change(within(palette).getByRole('combobox'), { target: { value: 'theme' } });
    const labels = () => within(palette).getAllByRole('option').map((o) => o.textContent);
    expect(labels()).toEqual(expect.arrayContaining(['System theme (current)', 'Light theme', 'Dark theme']));
    fireEvent.click(within(palette).getByRole('option', { name: 'Dark theme' }));
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
