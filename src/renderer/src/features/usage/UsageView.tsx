import { useEffect, useState } from 'react';
import type { UsageDashboard } from '@shared/types';
import { useAppStore } from '../../app/context';
import { BudgetCard } from './BudgetCard';
import { Breakdown } from './Breakdown';
import { DailyCharts } from './DailyCharts';
import { downloadText } from './download';
import { FailedRuns } from './FailedRuns';
import { LatencyTable } from './LatencyTable';
import { RangePicker } from './RangePicker';
import { SummaryCards } from './SummaryCards';
import { TopSessions } from './TopSessions';
import { TeamUsage } from '../sync/TeamUsage';
import './usage.css';

export interface UsageViewProps {
  /** Open a chat, and scroll to a message of it when one is given. */
  onOpenSession(sessionId: string, messageId?: string): void;
}

/** The Usage dashboard: tokens, requests, cost, speed and failures over a range of days. */
export function UsageView({ onOpenSession }: UsageViewProps) {
  const dashboard = useAppStore((s) => s.usageDashboard);
  const loadUsageDashboard = useAppStore((s) => s.loadUsageDashboard);
  const teamShown = useAppStore((s) => s.usageTeamShown);

  useEffect(() => {
    void loadUsageDashboard();
  }, [loadUsageDashboard]);

  const data = dashboard.data;
  return (
    <section className="usage" aria-labelledby="usage-title" aria-busy={dashboard.status === 'loading'}>
      <header className="usage__header">
        <h2 id="usage-title">Usage</h2>
        <RangePicker />
        <div className="usage__actions">
          <button
            type="button"
            className="button"
            onClick={() => void loadUsageDashboard()}
            disabled={dashboard.status === 'loading'}
          >
            Refresh
          </button>
          <ExportButton disabled={!data || data.totals.runs === 0} />
        </div>
      </header>
      {teamShown && <TeamUsage />}
      {!teamShown && !data && dashboard.status !== 'error' && (
        <p role="status" className="muted">
          Loading usage…
        </p>
      )}
      {!teamShown && !data && dashboard.status === 'error' && (
        <p className="muted">Usage could not be loaded. Try Refresh.</p>
      )}
      {!teamShown && data && <UsageBody data={data} onOpenSession={onOpenSession} />}
    </section>
  );
}

function UsageBody({ data, onOpenSession }: { data: UsageDashboard } & UsageViewProps) {
  if (!data.hasAnyRuns) {
    return (
      <div className="usage-empty" role="note">
        <h3>No usage yet</h3>
        <p>Once you chat with a model, its tokens, requests, cost estimates and speed show up here.</p>
      </div>
    );
  }
  return (
    <div className="usage__body">
      <div className="usage__top">
        <BudgetCard budget={data.budget} />
        <SummaryCards totals={data.totals} />
      </div>
      {data.totals.runs === 0 ? (
        <div className="usage-empty" role="note">
          <h3>No requests in this range</h3>
          <p>Choose a longer range to see earlier usage.</p>
        </div>
      ) : (
        <>
          <DailyCharts days={data.daily} />
          <Breakdown models={data.byModel} providers={data.byProvider} />
          <LatencyTable rows={data.latency} />
          <TopSessions sessions={data.topSessions} onOpenSession={onOpenSession} />
        </>
      )}
      <FailedRuns runs={data.failedRuns} onOpenSession={onOpenSession} />
    </div>
  );
}

/** CSV of the range: the system save dialog where the host has one, else a download. */
function ExportButton({ disabled }: { disabled: boolean }) {
  const exportUsage = useAppStore((s) => s.exportUsage);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setNote(null);
    const outcome = await exportUsage();
    setBusy(false);
    if (outcome.kind === 'download') {
      downloadText(outcome.filename, outcome.csv);
      setNote(`Downloaded ${outcome.filename}.`);
    } else if (outcome.kind === 'saved') {
      setNote(`Saved to ${outcome.path}.`);
    }
  };
  return (
    <>
      <button type="button" className="button" disabled={disabled || busy} onClick={() => void run()}>
        {busy ? 'Exporting…' : 'Export CSV'}
      </button>
      {note && (
        <span role="status" className="usage__note">
          {note}
        </span>
      )}
    </>
  );
}
