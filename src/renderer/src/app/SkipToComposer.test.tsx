/** A skip link to the composer (issue 11 #32). */
import '../test/setup';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { aSummary, onePage, savedTabs } from '../test/seed';

describe('skip link', () => {
  it('is the first Tab stop and puts focus in the open chat’s composer', async () => {
    const chat = aSummary({ title: 'Open one', messageCount: 0 });
    const api = fakeApi({
      'sessions.list': () => onePage([chat]),
      'sessions.get': () => chat,
      'ui.get': ({ key }) => (key === 'tabs' ? savedTabs([chat.id]) : null) as never,
    });
    renderApp(api);
    const skip = await screen.findByRole('link', { name: 'Skip to message box' });
    const focusable = document.querySelectorAll('a[href], button:not([disabled]), textarea, input, select, [tabindex="0"]');
    expect(focusable[0]).toBe(skip);
    const composer = await screen.findByRole('textbox', { name: 'Message' });
    // A restored tab focuses its composer once; from then on focus is the user's.
    await waitFor(() => expect(document.activeElement).toBe(composer));
    skip.focus();
    expect(document.activeElement).toBe(skip);
    fireEvent.click(skip);
    await waitFor(() => expect(document.activeElement).toBe(composer));
  });
});
