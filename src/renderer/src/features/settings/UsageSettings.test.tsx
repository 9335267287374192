import '../../test/setup';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { parseUsageDraft, toDraft } from './usageSettingsDraft';

const core = realCoreForTests();

async function openSettings() {
  fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
  return screen.findByRole('dialog', { name: 'Settings' });
}

describe('Settings: usage and retention', () => {
  it('shows the defaults and saves budgets and retention in one patch', async () => {
    renderApp(core());
    const dialog = await openSettings();
    const form = await within(dialog).findByRole('form', { name: 'Usage and data retention' });
    expect((within(form).getByLabelText('Keep app logs for (days)') as HTMLInputElement).value).toBe('30');
    expect((within(form).getByLabelText('Keep run details forever') as HTMLInputElement).checked).toBe(true);
    expect((within(form).getByLabelText('Archive chats with no activity') as HTMLInputElement).checked).toBe(false);

    fireEvent.change(within(form).getByLabelText('Monthly token budget'), { target: { value: '2000000' } });
    fireEvent.change(within(form).getByLabelText('Monthly cost budget (US$)'), { target: { value: '25.5' } });
    fireEvent.change(within(form).getByLabelText('Keep app logs for (days)'), { target: { value: '14' } });
    fireEvent.click(within(form).getByLabelText('Keep run details forever'));
    fireEvent.change(within(form).getByLabelText('Keep run details for (days)'), { target: { value: '180' } });
    fireEvent.click(within(form).getByLabelText('Archive chats with no activity'));
    fireEvent.change(within(form).getByLabelText('Archive after (days without activity)'), { target: { value: '60' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save usage settings' }));

    await within(form).findByText('Saved.');
    expect(core().callsTo('usage.setSettings')).toEqual([
      {
        monthlyTokenBudget: 2_000_000,
        monthlyCostBudgetUsd: 25.5,
        logRetentionDays: 14,
        runDetailRetentionDays: 180,
        autoArchiveDays: 60,
      },
    ]);
    expect(await core().direct.usage.getSettings({})).toMatchObject({
      monthlyTokenBudget: 2_000_000,
      autoArchiveDays: 60,
    });
    await core().direct.usage.setSettings({
      monthlyTokenBudget: null,
      monthlyCostBudgetUsd: null,
      logRetentionDays: 30,
      runDetailRetentionDays: null,
      autoArchiveDays: null,
    });
  });

  it('refuses values the job could not use, and saves nothing', async () => {
    renderApp(core());
    const dialog = await openSettings();
    const form = await within(dialog).findByRole('form', { name: 'Usage and data retention' });
    fireEvent.change(within(form).getByLabelText('Keep app logs for (days)'), { target: { value: '0' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save usage settings' }));
    expect(within(form).getByRole('alert').textContent).toBe('Keep app logs for 1 to 36,500 days.');
    expect(core().callsTo('usage.setSettings')).toEqual([]);
  });

  it('parses the form: blank budgets are none, whole days only', () => {
    const base = toDraft({
      monthlyTokenBudget: null,
      monthlyCostBudgetUsd: null,
      logRetentionDays: 30,
      runDetailRetentionDays: null,
      autoArchiveDays: null,
    });
    expect(parseUsageDraft(base)).toEqual({
      patch: {
        monthlyTokenBudget: null,
        monthlyCostBudgetUsd: null,
        logRetentionDays: 30,
        runDetailRetentionDays: null,
        autoArchiveDays: null,
      },
    });
    expect(parseUsageDraft({ ...base, tokenBudget: '1.5' })).toHaveProperty('error');
    expect(parseUsageDraft({ ...base, costBudget: '0' })).toHaveProperty('error');
    expect(parseUsageDraft({ ...base, autoArchive: true, autoArchiveDays: '2.5' })).toHaveProperty('error');
    expect(parseUsageDraft({ ...base, keepRunDetails: false, runDetailDays: '7' })).toMatchObject({
      patch: { runDetailRetentionDays: 7 },
    });
  });
});

describe('Settings: model prices', () => {
  it('lists prices, edits one, adds one and deletes one', async () => {
    // The default prices of a new database include these two.
    renderApp(core());
    const dialog = await openSettings();
    const table = await within(dialog).findByRole('table', { name: 'Model prices' });
    const gpt = await within(table).findByRole('row', { name: 'gpt-4o' });
    expect(gpt.textContent).toContain('$2.5');
    expect(gpt.textContent).toContain('$10');
    expect(gpt.textContent).not.toContain('Edited');

    fireEvent.click(within(gpt).getByRole('button', { name: 'Edit the price of gpt-4o' }));
    const editing = within(table).getByRole('row', { name: 'gpt-4o' });
    fireEvent.change(within(editing).getByLabelText('Input price of gpt-4o'), { target: { value: 'abc' } });
    expect((within(editing).getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(editing).getByLabelText('Input price of gpt-4o'), { target: { value: '5' } });
    fireEvent.click(within(editing).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(table).getByRole('row', { name: 'gpt-4o' }).textContent).toContain('Edited'));
    expect(core().callsTo('prices.set')).toEqual([{ model: 'gpt-4o', inputPerMTok: 5, outputPerMTok: 10 }]);

    const add = within(dialog).getByRole('form', { name: 'Add a price' });
    fireEvent.change(within(add).getByLabelText('Model'), { target: { value: 'llama3.1:8b' } });
    fireEvent.change(within(add).getByLabelText('Input $/1M'), { target: { value: '0' } });
    fireEvent.change(within(add).getByLabelText('Output $/1M'), { target: { value: '0' } });
    fireEvent.click(within(add).getByRole('button', { name: 'Add price' }));
    await within(table).findByRole('row', { name: 'llama3.1:8b' });

    fireEvent.click(within(table).getByRole('button', { name: 'Delete the price of claude-sonnet-4-5' }));
    await waitFor(() => expect(within(table).queryByRole('row', { name: 'claude-sonnet-4-5' })).toBeNull());
    expect(core().callsTo('prices.delete')).toEqual([{ model: 'claude-sonnet-4-5' }]);
  });
});
