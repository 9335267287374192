import '../../test/setup';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UsageDashboard } from '@shared/types';
import { StoreProvider } from '../../app/context';
import { createAppStore } from '../../app/store';
import { fakeApi, type FakeApi, type FakeHandlers } from '../../test/fakeApi';
import { emptyDashboard, ZERO_SUMMARY } from '../../test/usageSeed';
import { UsageView } from './UsageView';

const SESSION = '01900000-0000-7000-8000-00000000000a';
const TRASHED = '01900000-0000-7000-8000-00000000000b';
const MESSAGE = '01900000-0000-7000-8000-00000000000c';

/** Known figures: gpt-4o is priced, a local llama is not. */
function knownDashboard(range: { fromDay: string; toDay: string; timeZone: string }): UsageDashboard {
  const base = emptyDashboard(range);
  return {
    ...base,
    hasAnyRuns: true,
    totals: {
      runs: 40,
      succeeded: 30,
      failed: 6,
      cancelled: 2,
      interrupted: 2,
      tokensIn: 1_234_567,
      tokensOut: 89_000,
      costUsd: 3.5,
      unpricedRuns: 10,
      unpricedTokens: 5000,
    },
    daily: base.daily.map((d, i) =>
      i === 0 ? { ...d, runs: 40, succeeded: 30, failed: 6, cancelled: 2, tokensIn: 1_234_567, tokensOut: 89_000 } : d,
    ),
    byModel: [
      {
        ...ZERO_SUMMARY,
        providerId: 'openai',
        providerName: 'OpenAI',
        model: 'gpt-4o',
        runs: 30,
        succeeded: 27,
        failed: 3,
        tokensIn: 1_229_567,
        tokensOut: 89_000,
        costUsd: 3.5,
      },
      {
        ...ZERO_SUMMARY,
        providerId: 'ollama',
        providerName: 'My Ollama',
        model: 'llama3.1:8b',
        runs: 10,
        succeeded: 3,
        failed: 3,
        cancelled: 2,
        interrupted: 2,
        tokensIn: 5000,
        unpricedRuns: 10,
        unpricedTokens: 5000,
      },
    ],
    byProvider: [
      {
        ...ZERO_SUMMARY,
        providerId: 'openai',
        providerName: 'OpenAI',
        runs: 30,
        succeeded: 27,
        failed: 3,
        tokensIn: 1_229_567,
        tokensOut: 89_000,
        costUsd: 3.5,
      },
      { ...ZERO_SUMMARY, providerId: 'ollama',
        providerName: 'My Ollama', runs: 10, tokensIn: 5000, unpricedRuns: 10, unpricedTokens: 5000 },
    ],
    latency: [
      {
        providerId: 'openai',
        providerName: 'OpenAI',
        model: 'gpt-4o',
        samples: 27,
        ttftP50Ms: 420,
        ttftP95Ms: 1250,
        totalP50Ms: 3100,
        totalP95Ms: 9800,
      },
    ],
    topSessions: [
      {
        sessionId: SESSION,
        title: 'Big refactor',
        inTrash: false,
        runs: 25,
        tokensIn: 1_000_000,
        tokensOut: 50_000,
        costUsd: 3,
        unpricedTokens: 0,
      },
      {
        sessionId: TRASHED,
        title: 'Old idea',
        inTrash: true,
        runs: 2,
        tokensIn: 10,
        tokensOut: 10,
        costUsd: null,
        unpricedTokens: 20,
      },
    ],
    failedRuns: [
      {
        id: '01900000-0000-7000-8000-0000000000f1',
        sessionId: SESSION,
        messageId: MESSAGE,
        sessionTitle: 'Big refactor',
        providerId: 'openai',
        providerName: 'OpenAI',
        model: 'gpt-4o',
        status: 'failed',
        errorCode: 'rate_limited',
        errorMessage: 'The provider is rate limiting requests.',
        startedAt: '2026-11-01T09:00:00.000Z',
      },
    ],
  };
}

type DayRange = { fromDay: string; toDay: string; timeZone: string };

/** A fake whose dashboard is built by `dashboard` for the range asked. */
function usageApi(dashboard: (range: DayRange) => UsageDashboard = emptyDashboard, more: FakeHandlers = {}): FakeApi {
  return fakeApi({
    'usage.dashboard': ({ fromDay, toDay, timeZone }) => dashboard({ fromDay, toDay, timeZone }),
    ...more,
  });
}

function renderUsage(fake = usageApi()) {
  const store = createAppStore(fake.api);
  const onOpenSession = vi.fn();
  render(
    <StoreProvider store={store}>
      <UsageView onOpenSession={onOpenSession} />
    </StoreProvider>,
  );
  return { fake, store, onOpenSession };
}

/** Scoped to the summary: role queries over the whole page (charts included) are slow in jsdom. */
const card = (label: string) =>
  within(screen.getByRole('list', { name: 'Summary' })).getByRole('listitem', { name: label });

/** jsdom's Blob has no text(); decoded keeping the byte-order mark, which readAsText drops. */
function blobText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new TextDecoder('utf-8', { ignoreBOM: true }).decode(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsArrayBuffer(blob);
  });
}

// Charts put hundreds of SVG nodes in jsdom: slow, but within the dom project's timeout.
describe('UsageView', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 10, 20, 15, 0)); // Nov 20th, local time
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says there is no usage yet for a new user, and asks for the last 30 days', async () => {
    const { fake } = renderUsage();
    expect(await screen.findByText('No usage yet')).toBeTruthy();
    expect(fake.callsTo('usage.dashboard')).toEqual([
      { fromDay: '2026-10-22', toDay: '2026-11-20', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
    ]);
    expect((screen.getByRole('button', { name: 'Export CSV' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the known figures: totals, rates, cost with unpriced tokens apart, models, speed', async () => {
    renderUsage(usageApi(knownDashboard));
    await screen.findByRole('list', { name: 'Summary' });
    expect(card('Input tokens').textContent).toContain('1.2M');
    expect(within(card('Input tokens')).getByTitle('1,234,567')).toBeTruthy();
    expect(card('Output tokens').textContent).toContain('89K');
    expect(card('Requests').textContent).toContain('40');
    expect(card('Estimated cost').textContent).toContain('$3.50');
    expect(card('Estimated cost').textContent).toContain('Not counted: 5K tokens of models with no price.');
    expect(card('Succeeded').textContent).toContain('75%');
    expect(card('Errors').textContent).toContain('20%'); // failed + interrupted
    expect(card('Cancelled').textContent).toContain('5%');

    const models = screen.getByRole('table', { name: 'Usage by model' });
    // Providers by the names given in Settings, never by their ids.
    const gpt = within(models).getByRole('row', { name: /gpt-4o \(OpenAI\)/ });
    expect(
      within(gpt)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['30', '1,229,567', '89,000', '$3.50', '90%', '10%', '0%']);
    const llama = within(models).getByRole('row', { name: /llama3.1:8b/ });
    expect(within(llama).getAllByRole('cell')[3]!.textContent).toBe('no price');
    const providers = screen.getByRole('table', { name: 'Usage by provider' });
    expect(within(providers).getAllByRole('row')).toHaveLength(3);
    expect(within(providers).getByRole('row', { name: /My Ollama/ })).toBeTruthy();
    expect(within(models).queryByText(/\(ollama\)/)).toBeNull();

    const speed = screen.getByRole('table', { name: 'Speed by model' });
    expect(
      within(within(speed).getByRole('row', { name: /gpt-4o/ }))
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['420 ms', '1.3 s', '3.1 s', '9.8 s', '27']);
    expect(screen.getByRole('figure', { name: 'Tokens per day' })).toBeTruthy();
    expect(screen.getByRole('figure', { name: 'Requests per day' })).toBeTruthy();
  });

  it('opens a top chat, and a failed request at its message; a chat in the Trash is not a link', async () => {
    const { onOpenSession } = renderUsage(usageApi(knownDashboard));
    const top = await screen.findByRole('list', { name: 'Top chats by tokens' });
    fireEvent.click(within(top).getByRole('button', { name: /Big refactor/ }));
    expect(onOpenSession).toHaveBeenLastCalledWith(SESSION);
    expect(within(top).getByText('Old idea (in Trash)')).toBeTruthy();
    expect(within(top).getAllByRole('button')).toHaveLength(1);

    const failed = screen.getByRole('list', { name: 'Failed requests, last 24 hours' });
    fireEvent.click(within(failed).getByRole('button', { name: /rate limiting/ }));
    expect(onOpenSession).toHaveBeenLastCalledWith(SESSION, MESSAGE);
  });

  it('switches between 7, 30 and 90 days and a custom range, showing only the newest answer', async () => {
    const fake = usageApi(knownDashboard);
    const { store } = renderUsage(fake);
    await screen.findByRole('list', { name: 'Summary' });
    // A slow 90-day answer must not replace the 7 days asked for after it.
    const release = fake.holdNext('usage.dashboard');
    fireEvent.click(screen.getByRole('button', { name: '90 days' }));
    fireEvent.click(screen.getByRole('button', { name: '7 days' }));
    await waitFor(() => expect(fake.callsTo('usage.dashboard')).toHaveLength(3));
    await act(async () => release());
    await waitFor(() =>
      expect(screen.getByRole('button', { name: '7 days' }).getAttribute('aria-pressed')).toBe('true'),
    );
    expect(fake.callsTo('usage.dashboard').map((c) => c.fromDay)).toEqual(['2026-10-22', '2026-08-23', '2026-11-14']);
    expect(store.getState().usageDashboard.data?.range.fromDay).toBe('2026-11-14');
    expect(store.getState().usageDashboard.data?.daily).toHaveLength(7);

    fireEvent.click(screen.getByRole('button', { name: 'Custom' }));
    const form = screen.getByRole('form', { name: 'Custom range' });
    const [from, to] = within(form).getAllByDisplayValue(/\d{4}-\d{2}-\d{2}/) as HTMLInputElement[];
    fireEvent.change(from!, { target: { value: '2026-11-10' } });
    fireEvent.change(to!, { target: { value: '2026-11-01' } });
    expect((within(form).getByRole('button', { name: 'Show' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(form).getByText('Choose a start day on or before the end day.')).toBeTruthy();
    fireEvent.change(to!, { target: { value: '2026-11-12' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Show' }));
    await waitFor(() =>
      expect(fake.callsTo('usage.dashboard').at(-1)).toMatchObject({ fromDay: '2026-11-10', toDay: '2026-11-12' }),
    );
  });

  it('says when nothing used has a price instead of showing $0', async () => {
    renderUsage(
      usageApi((range) => {
        const d = knownDashboard(range);
        return { ...d, totals: { ...d.totals, costUsd: null, unpricedRuns: 40, unpricedTokens: 1_323_567 } };
      }),
    );
    await screen.findByRole('list', { name: 'Summary' });
    expect(card('Estimated cost').textContent).toContain('no price');
    expect(card('Estimated cost').textContent).toContain('None of the models used has a price');
    expect(card('Estimated cost').textContent).not.toContain('$0');
  });

  it('shows an empty range apart from no usage at all', async () => {
    renderUsage(usageApi((range) => ({ ...emptyDashboard(range), hasAnyRuns: true })));
    expect(await screen.findByText('No requests in this range')).toBeTruthy();
    expect(screen.queryByText('No usage yet')).toBeNull();
    expect(screen.getByText('No failed requests in the last 24 hours.')).toBeTruthy();
  });

  it('warns at 80% of the budget and alerts at 100%', async () => {
    const withBudget = (level: 'warning' | 'exceeded', share: number) => (range: DayRange) => {
      const d = knownDashboard(range);
      return {
        ...d,
        budget: { ...d.budget, tokensUsed: share * 1_000_000, tokenBudget: 1_000_000, tokenShare: share, level },
      };
    };
    const fake = usageApi(withBudget('warning', 0.85));
    const { store } = renderUsage(fake);
    expect((await screen.findByText(/over 80%/)).getAttribute('role')).toBe('status');
    expect(screen.getByText(/Token budget: 85%/)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();

    const exceeded = withBudget('exceeded', 1.02);
    fake.handle({ 'usage.dashboard': ({ fromDay, toDay, timeZone }) => exceeded({ fromDay, toDay, timeZone }) });
    await act(() => store.getState().loadUsageDashboard());
    expect(screen.getByRole('alert').textContent).toContain("used all of this month's budget");
    expect(screen.getByText(/Token budget: 102%/)).toBeTruthy();
  });

  it('exports CSV: a download where the host has no save dialog, the dialog where it has one', async () => {
    const fake = usageApi(knownDashboard, {
      // The web host has no save dialog: the page downloads the text.
      'usage.saveCsv': () => ({ status: 'unavailable' }),
      'usage.exportCsv': ({ fromDay, toDay }) => ({
        filename: `confab-usage-${fromDay}-to-${toDay}.csv`,
        csv: 'date,provider\r\n2026-11-20,openai\r\n',
      }),
    });
    const created: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:usage';
    });
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicks: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download);
    });
    renderUsage(fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Export CSV' }));
    await screen.findByText('Downloaded confab-usage-2026-10-22-to-2026-11-20.csv.');
    expect(clicks).toEqual(['confab-usage-2026-10-22-to-2026-11-20.csv']);
    expect(await blobText(created[0]!)).toBe('\uFEFFdate,provider\r\n2026-11-20,openai\r\n');
    expect(fake.callsTo('usage.saveCsv')).toHaveLength(1);

    fake.handle({ 'usage.saveCsv': () => ({ status: 'saved', path: '/home/me/usage.csv' }) });
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await screen.findByText('Saved to /home/me/usage.csv.');
    expect(fake.callsTo('usage.exportCsv')).toHaveLength(1);
    expect(clicks).toHaveLength(1);
    click.mockRestore();
  });
});
