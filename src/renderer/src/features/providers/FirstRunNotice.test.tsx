/** First launch (issue 11 #28): says a model is needed and offers to add one, or names the local one found. */
import '../../test/setup';
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';
import { aProvider, someChatSettings } from '../../test/seed';

describe('first launch', () => {
  it('says a model is needed, and Add a provider opens the form in Settings', async () => {
    renderApp(fakeApi({ 'providers.detectLocal': () => [] }));
    const notice = await screen.findByRole('region', { name: 'Add a model to start' });
    expect(notice.textContent).toMatch(/needs a model/);
    fireEvent.click(within(notice).getByRole('button', { name: 'Add a provider' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    expect(within(dialog).getByRole('form', { name: 'Add a provider' })).toBeTruthy();
  });

  it('names the local server found at startup when it is what answers', async () => {
    const ollama = aProvider({
      name: 'Ollama',
      isLocal: true,
      baseUrl: 'http://localhost:11434/v1',
      defaultModel: 'llama3.2',
    });
    renderApp(
      fakeApi({
        'providers.list': () => [ollama],
        'settings.getChat': () => someChatSettings({ defaultProviderId: ollama.id }),
      }),
    );
    const notice = await screen.findByRole('region', { name: 'Ready with Ollama' });
    expect(notice.textContent).toContain('http://localhost:11434/v1');
    expect(notice.textContent).toContain('llama3.2');
    expect(screen.queryByRole('region', { name: 'Add a model to start' })).toBeNull();
  });
});
