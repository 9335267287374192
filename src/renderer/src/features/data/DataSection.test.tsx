import '../../test/setup';
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';

const core = realCoreForTests();
/** A small Claude export: a chat with a retried answer (a branch) and thinking, one chat without messages. */
const CLAUDE_EXPORT = JSON.stringify([
  {
    uuid: 'c1',
    name: 'Rust lifetimes',
    created_at: '2026-02-01T09:00:00Z',
    chat_messages: [
      { uuid: 'm1', parent_message_uuid: '00000000-0000-4000-8000-000000000000', sender: 'human', text: 'Why does this not compile?', created_at: '2026-02-01T09:00:00Z' },
      { uuid: 'm2', parent_message_uuid: 'm1', sender: 'assistant', content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'text', text: 'x does not live long enough.' }], created_at: '2026-02-01T09:01:00Z' },
      { uuid: 'm3', parent_message_uuid: 'm1', sender: 'assistant', text: 'Move x out of the inner scope.', created_at: '2026-02-01T09:05:00Z' },
    ],
  },
  { uuid: 'c2', name: 'Broken record' },
]);

describe('Settings: data', () => {
  it('shows what a file holds before importing it, then the checked counts; a wrong file gets its sentence', async () => {
    renderApp(core());
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const data = within(dialog).getByRole('region', { name: 'Data' });

    const file = new File([CLAUDE_EXPORT], 'conversations.json', { type: 'application/json' });
    fireEvent.change(within(data).getByLabelText('Choose a file to import'), { target: { files: [file] } });
    const preview = await within(data).findByRole('region', { name: 'What the file holds' }, { timeout: 20_000 });
    expect(preview.textContent).toContain('(Claude): 1 chat, 3 messages, 1 branch point, from 2026-02-01 to 2026-02-01.');
    fireEvent.click(within(preview).getByText('1 skipped'));
    expect(preview.textContent).toContain('Broken record: It has no messages.');
    fireEvent.click(within(preview).getByRole('button', { name: 'Import 1 chat' }));

    const report = await within(data).findByRole('region', { name: 'Import report' }, { timeout: 20_000 });
    expect(within(report).getByRole('row', { name: /Messages/ }).textContent).toBe('Messages330');
    expect(report.textContent).toContain('every count matches');
    // The sidebar hears of the new chats through the change feed.
    expect((await screen.findAllByText('Rust lifetimes', undefined, { timeout: 20_000 })).length).toBeGreaterThan(0);

    const wrong = new File(['{"hello": "world"}'], 'notes.json', { type: 'application/json' });
    fireEvent.change(within(data).getByLabelText('Choose a file to import'), { target: { files: [wrong] } });
    const alert = await within(data).findByRole('alert', {}, { timeout: 20_000 });
    expect(alert.textContent).toMatch(/notes\.json is not an export Confab can read.*Nothing was changed\./);
  });
});
