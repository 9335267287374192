/**
 * Usage: model runs, the dashboard, prices, budgets and retention.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface GenerationRun {
  id: string;
  sessionId: string | null;
  messageId: string | null;
  providerId: string;
  model: string;
  status: RunStatus;
  tokensIn: number;
  tokensOut: number;
  tokensEstimated: boolean;
  ttftMs: number | null;
  totalMs: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface UsageTotals {
  runs: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  tokensIn: number;
  tokensOut: number;
}

/** Outcome counts, tokens and estimated cost of a set of runs. */
export interface UsageSummary extends UsageTotals {
  interrupted: number;
  /** Estimated US dollars over the priced models only; null when none of them has a price. */
  costUsd: number | null;
  /** Runs and tokens of models with no price: never counted as zero cost. */
  unpricedRuns: number;
  unpricedTokens: number;
}

export interface UsageDay {
  /** 'YYYY-MM-DD' in the requested time zone; every day of the range is present. */
  day: string;
  runs: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  tokensIn: number;
  tokensOut: number;
}

export interface UsageModelRow extends UsageSummary {
  providerId: string;
  /** The provider's name as set in Settings (what a person recognises), never its bare id. */
  providerName: string;
  model: string;
}

export interface UsageProviderRow extends UsageSummary {
  providerId: string;
  providerName: string;
}

/** Latency over succeeded runs (milliseconds); null where no run recorded that time. */
export interface UsageLatencyRow {
  providerId: string;
  providerName: string;
  model: string;
  samples: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  totalP50Ms: number | null;
  totalP95Ms: number | null;
}

export interface UsageTopSession {
  sessionId: string;
  title: string;
  inTrash: boolean;
  runs: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number | null;
  unpricedTokens: number;
}

export interface FailedRun {
  id: string;
  sessionId: string | null;
  messageId: string | null;
  sessionTitle: string | null;
  providerId: string;
  providerName: string;
  model: string;
  status: 'failed' | 'interrupted';
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: string;
}

export type BudgetLevel = 'none' | 'ok' | 'warning' | 'exceeded';

/** This month's use against the budgets in UsageSettings; shares are used / budget (1 = 100%). */
export interface BudgetStatus {
  monthStart: string;
  monthEnd: string;
  tokensUsed: number;
  costUsedUsd: number | null;
  unpricedTokens: number;
  tokenBudget: number | null;
  costBudgetUsd: number | null;
  tokenShare: number | null;
  costShare: number | null;
  /** The worse of the two: 'warning' from 80%, 'exceeded' from 100%. */
  level: BudgetLevel;
}

/** Everything the Usage view shows for one range, read in one call. */
export interface UsageDashboard {
  range: { fromDay: string; toDay: string; timeZone: string; from: string; to: string };
  totals: UsageSummary;
  daily: UsageDay[];
  byModel: UsageModelRow[];
  byProvider: UsageProviderRow[];
  latency: UsageLatencyRow[];
  topSessions: UsageTopSession[];
  /** Failed and interrupted runs of the 24 hours before the call, whatever the range. */
  failedRuns: FailedRun[];
  budget: BudgetStatus;
  /** Whether any run exists at all (distinguishes "no usage yet" from "none in this range"). */
  hasAnyRuns: boolean;
}

export interface SessionUsage {
  sessionId: string;
  runs: number;
  succeeded: number;
  failed: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number | null;
  unpricedTokens: number;
  models: string[];
}

export interface ModelPrice {
  /** The model name as entered; one price covers its dated and vendor-prefixed spellings. */
  model: string;
  /** The normalised name runs are matched on ('openai/gpt-4o-2024-08-06' → 'gpt-4o'). */
  modelKey: string;
  inputPerMTok: number;
  outputPerMTok: number;
  /** Seeded by Confab rather than entered by the user. */
  isDefault: boolean;
  updatedAt: string;
}

export interface UsageSettings {
  /** Monthly budgets; null: no budget. */
  monthlyTokenBudget: number | null;
  monthlyCostBudgetUsd: number | null;
  /** App logs older than this are deleted. */
  logRetentionDays: number;
  /** Run details (error text, tool inputs and outputs) older than this are removed; null: kept forever. */
  runDetailRetentionDays: number | null;
  /** Active, unpinned chats with no activity for this long are archived; null: off. */
  autoArchiveDays: number | null;
}

/** How the CSV export ended: saved through the system dialog, cancelled, or not offered by this host. */
export type SaveCsvResult = { status: 'saved'; path: string } | { status: 'cancelled' } | { status: 'unavailable' };
