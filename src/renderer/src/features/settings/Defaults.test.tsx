/**
 * Defaults that follow the user (issue 11 #13): a provider becomes the default only if its test
 * passes, a later working one is offered as the default, a model picked in a chat is what a new
 * chat starts with, and a failing default can be named as such.
 */
import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatSettings, ProviderConfig } from '@shared/types';
import { createAppStore } from '../../app/store';
import { fakeApi } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';
import { aProvider, aSession, someChatSettings } from '../../test/seed';
import { defaultProviderProblem } from './store';

/** A backend holding providers and chat settings; a provider named "Broken…" fails its test. */
function backend(initial: { providers?: ProviderConfig[]; settings?: Partial<ChatSettings> } = {}) {
  const providers = [...(initial.providers ?? [])];
  let settings = someChatSettings(initial.settings);
  const fake = fakeApi({
    'providers.list': () => providers,
    'providers.create': (input) => {
      const made = aProvider({
        name: input.name ?? 'New',
        preset: input.preset,
        defaultModel: input.defaultModel ?? null,
      });
      providers.push(made);
      return made;
    },
    'providers.update': (input) => {
      const at = providers.findIndex((p) => p.id === input.id);
      providers[at] = {
        ...providers[at]!,
        ...(input.defaultModel !== undefined ? { defaultModel: input.defaultModel } : {}),
      };
      return providers[at]!;
    },
    'providers.models': ({ id }) => {
      const p = providers.find((x) => x.id === id)!;
      return p.name.startsWith('Broken')
        ? { models: [], source: 'provider', error: `${p.name} could not be reached.` }
        : { models: ['m-1', 'm-2'], source: 'provider', error: null };
    },
    'settings.getChat': () => settings,
    'settings.setChat': (patch) => {
      settings = { ...settings, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      return settings;
    },
    'providers.detectLocal': () => [],
  });
  return { api: fake.api, fake, providers, settings: () => settings };
}

async function addCustomProvider(name: string) {
  const dialog = screen.getByRole('dialog', { name: 'Settings' });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Add a provider' }));
  fireEvent.change(within(dialog).getByLabelText('Type'), { target: { value: 'custom' } });
  fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: name } });
  fireEvent.change(within(dialog).getByLabelText('Base URL'), { target: { value: 'http://127.0.0.1:9/v1' } });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Add provider' }));
  await within(dialog).findByRole('listitem', { name });
}

describe('defaults', () => {
  it('a first provider whose test fails is not made the default; a working one is offered', async () => {
    const b = backend();
    const { store } = renderApp(b);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    await addCustomProvider('Broken box');
    await waitFor(() => expect(store.getState().providers.status).toBe('ready'));
    expect(b.settings().defaultProviderId).toBeNull();
    expect(within(screen.getByRole('dialog')).getByText('Broken box could not be reached.')).toBeTruthy();

    // With no default, the working one becomes it at once.
    await addCustomProvider('Good box');
    await waitFor(() => expect(b.settings().defaultProviderId).toBe(b.providers[1]!.id));
  });

  it('offers a later working provider as the default instead of keeping a failing one', async () => {
    const broken = aProvider({ name: 'Broken cloud', defaultModel: 'x' });
    const b = backend({ providers: [broken], settings: { defaultProviderId: broken.id } });
    renderApp(b);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    await addCustomProvider('Local box');
    const offer = await screen.findByRole('button', { name: 'Use Local box by default' });
    expect(b.settings().defaultProviderId).toBe(broken.id);
    fireEvent.click(offer);
    await waitFor(() => expect(b.settings().defaultProviderId).toBe(b.providers[1]!.id));
    expect(screen.queryByRole('button', { name: 'Use Local box by default' })).toBeNull();
  });

  it('a model picked in a chat is what the next new chat starts with', async () => {
    const p = aProvider({ name: 'Box', defaultModel: 'm-1' });
    const b = backend({ providers: [p], settings: { defaultProviderId: p.id, defaultModel: null } });
    const session = aSession();
    b.fake.handle({ 'sessions.update': (input) => ({ ...session, ...input }) as never });
    const store = createAppStore(b.api);
    await store.getState().loadProviders();
    await store.getState().updateSession(session.id, { providerId: p.id, model: 'm-2' });
    expect(b.settings()).toMatchObject({ defaultProviderId: p.id, defaultModel: 'm-2' });
  });

  it('names a default provider whose test failed', async () => {
    const broken = aProvider({ name: 'Broken cloud' });
    const b = backend({ providers: [broken], settings: { defaultProviderId: broken.id } });
    const store = createAppStore(b.api);
    await store.getState().loadProviders();
    expect(defaultProviderProblem(store.getState())).toBeNull();
    await store.getState().fetchModels(broken.id);
    expect(defaultProviderProblem(store.getState())).toEqual({
      providerName: 'Broken cloud',
      reason: 'Broken cloud could not be reached.',
    });
  });
});
