import '../../test/setup';
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { fakeApi } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';
import { aProvider, aSummary, onePage, savedTabs, someChatSettings } from '../../test/seed';

describe('the provider notice', () => {
  it('goes away when main adopts a local server after startup, without Settings being opened', async () => {
    const chat = aSummary({ title: 'Chat' });
    const fake = fakeApi({
      'sessions.list': () => onePage([chat]),
      'sessions.get': () => chat,
      'ui.get': ({ key }) => (key === TABS_UI_KEY ? savedTabs([chat.id]) : null),
      'messages.listBranch': () => onePage([]),
    });
    renderApp(fake);
    expect((await screen.findByRole('note')).textContent).toContain('No model provider is set up yet');

    // Local detection found Ollama at startup and set it up as the default: main says so.
    const ollama = aProvider({ name: 'Ollama', preset: 'ollama', baseUrl: 'http://localhost:11434/v1' });
    fake.handle({
      'providers.list': () => [ollama],
      'settings.getChat': () => someChatSettings({ defaultProviderId: ollama.id }),
    });
    fake.emit('providers.changed', { ids: [ollama.id], source: 'system' });
    fake.emit('settings.changed', { keys: ['chat'], source: 'system' });
    await waitFor(() => expect(screen.queryByRole('note')).toBeNull());
    expect(screen.getByRole('combobox', { name: 'Model' }).textContent).toContain('Default (Ollama');
    expect(fake.callsTo('providers.list').length).toBeGreaterThan(1);
  });
});
