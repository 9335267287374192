import '../../test/setup';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SYNC_ERROR_SENTENCES } from '@shared/sync/sentences';
import type { TeamUsage } from '@shared/types';
import { StoreProvider } from '../../app/context';
import { createAppStore } from '../../app/store';
import { fakeApi, type FakeHandlers } from '../../test/fakeApi';
import { emptyDashboard } from '../../test/usageSeed';
import { UsageView } from '../usage/UsageView';

function renderUsage(more: FakeHandlers) {
  const fake = fakeApi({
    'usage.dashboard': ({ fromDay, toDay, timeZone }) => emptyDashboard({ fromDay, toDay, timeZone }),
    ...more,
  });
  const store = createAppStore(fake.api);
  render(
    <StoreProvider store={store}>
      <UsageView onOpenSession={() => undefined} />
    </StoreProvider>,
  );
  return fake;
}

const showTeam = async () => {
  fireEvent.click(await screen.findByRole('button', { name: 'Team' }));
  return screen.findByRole('region', { name: 'Team usage' });
};

describe('Usage: the Team option', () => {
  it('shows tokens, requests and estimated cost per member over the chosen range', async () => {
    const usage: TeamUsage = {
      enabled: true,
      rows: [
        { userId: 'u1', name: 'alice', requests: 2, tokensIn: 1_500_000, tokensOut: 100_000, costUsd: 2.875 },
        { userId: 'u2', name: 'bob', requests: 1, tokensIn: 2_000, tokensOut: 3_000, costUsd: null },
      ],
    };
    const fake = renderUsage({ 'sync.teamUsage': () => usage });
    const region = await showTeam();
    const rows = await within(region).findAllByRole('row');
    expect(rows.map((r) => [...r.children].map((c) => c.textContent))).toEqual([
      ['Member', 'Requests', 'Tokens in', 'Tokens out', 'Estimated cost'],
      ['alice', '2', (1_500_000).toLocaleString(), (100_000).toLocaleString(), '$2.88'],
      ['bob', '1', (2_000).toLocaleString(), (3_000).toLocaleString(), 'no price'],
    ]);
    // The last 30 days by default: from a local midnight to the midnight after today.
    const [asked] = fake.callsTo('sync.teamUsage');
    const days = (Date.parse(asked!.to) - Date.parse(asked!.from)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    expect(new Date(asked!.from).getHours()).toBe(0);

    fireEvent.click(screen.getByRole('button', { name: '7 days' }));
    await waitFor(() => expect(fake.callsTo('sync.teamUsage')).toHaveLength(2));
    const seven = fake.callsTo('sync.teamUsage')[1]!;
    expect(Math.round((Date.parse(seven.to) - Date.parse(seven.from)) / 86_400_000)).toBe(7);

    // Back to this device's own dashboard.
    fireEvent.click(screen.getByRole('button', { name: 'Mine' }));
    expect(screen.queryByRole('region', { name: 'Team usage' })).toBeNull();
  });

  it('says when the admin has not enabled team usage', async () => {
    renderUsage({ 'sync.teamUsage': () => ({ enabled: false, rows: [] }) });
    const region = await showTeam();
    expect((await within(region).findByRole('note')).textContent).toContain(
      'Your team admin has not enabled team usage',
    );
    expect(within(region).queryByRole('table')).toBeNull();
  });

  it('says why when the team server cannot answer', async () => {
    const fake = renderUsage({ 'sync.teamUsage': () => ({ enabled: true, rows: [] }) });
    fake.failNext(
      'sync.teamUsage',
      'conflict',
      'The team server cannot be reached right now: try again when it is back.',
      {
        sync: 'unreachable',
      },
    );
    const region = await showTeam();
    expect((await within(region).findByRole('alert')).textContent).toBe(SYNC_ERROR_SENTENCES.unreachable);
  });
});
