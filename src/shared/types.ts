/**
 * Domain types as they cross the contract. Every value is JSON-safe (times are ISO strings),
 * because the same objects travel over Electron IPC and over the web host's WebSocket.
 */
export type SessionStatus = 'active' | 'archived';
export type SessionView = 'active' | 'archived' | 'trash';
export type Visibility = 'private' | 'team';
export type MessageRole = 'user' | 'assistant' | 'system' | 'tool';
export type MessageStatus = 'pending' | 'streaming' | 'complete' | 'error' | 'cancelled' | 'interrupted';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface Session {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  status: SessionStatus;
  pinned: boolean;
  tags: string[];
  providerId: string | null;
  model: string | null;
  systemPrompt: string;
  settings: Record<string, unknown>;
  visibility: Visibility;
  currentLeafId: string | null;
  messageCount: number;
  tokensIn: number;
  tokensOut: number;
  lastMessageAt: string | null;
  lastActivityAt: string;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface SessionSummary extends Session {
  lastMessagePreview: string | null;
  lastMessageRole: MessageRole | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null when there is none. */
  nextCursor: string | null;
}

export interface Message {
  id: string;
  sessionId: string;
  parentId: string | null;
  depth: number;
  role: MessageRole;
  content: string;
  contentType: string;
  status: MessageStatus;
  providerId: string | null;
  model: string | null;
  tokensIn: number | null;
  tokensOut: number | null;
  tokensEstimated: boolean;
  latencyMs: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  toolCalls: unknown;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

/** A message as shown in a branch: with its position among its siblings for the ‹ 2/3 › switcher. */
export interface BranchMessage extends Message {
  siblingCount: number;
  siblingIndex: number;
}

/** What messages.delete hid (or messages.restore brought back), and the branch now shown. */
export interface MessageDeletion {
  sessionId: string;
  /** The chosen message first, then what followed from it. */
  deletedIds: string[];
  /** The session's leaf afterwards; null once the chat has no messages left. */
  currentLeafId: string | null;
}

export interface SearchHit {
  kind: 'message' | 'session';
  sessionId: string;
  sessionTitle: string;
  sessionStatus: SessionStatus;
  sessionDeleted: boolean;
  messageId: string | null;
  role: MessageRole | null;
  /** Snippet text with hits wrapped in SNIPPET_MARK_START / SNIPPET_MARK_END. */
  snippet: string;
  createdAt: string;
  rank: number;
}

/** Control characters that cannot appear in user text after sanitising, used to mark hits. */
export const SNIPPET_MARK_START = '\u0002';
export const SNIPPET_MARK_END = '\u0003';

export interface SearchResult {
  hits: SearchHit[];
  tookMs: number;
}

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

export interface UsageBucket extends UsageTotals {
  /** 'YYYY-MM-DD' for days, 'YYYY-MM' for months, in the requested time zone. */
  period: string;
}

export interface UsageByModel extends UsageTotals {
  providerId: string;
  model: string;
}

export interface UsageBySession extends UsageTotals {
  sessionId: string;
  title: string;
}

export interface AppInfo {
  version: string;
  dataDir: string;
  schemaVersion: number;
  engine: string;
  host: 'electron' | 'web';
}

export type ProviderKind = 'openai' | 'anthropic';
export type ProviderPresetName = 'openai' | 'ollama' | 'lmstudio' | 'llamacpp' | 'openrouter' | 'anthropic' | 'custom';

/** A configured model provider. The API key itself never crosses the contract. */
export interface ProviderConfig {
  id: string;
  kind: ProviderKind;
  preset: ProviderPresetName;
  name: string;
  baseUrl: string;
  defaultModel: string | null;
  /** Models entered by hand; `providers.models` asks the server and falls back to these. */
  models: string[];
  /** Tokens of context per request; null uses ChatSettings.contextBudget. */
  contextBudget: number | null;
  enabled: boolean;
  /** A server on this machine: keeps working offline. */
  isLocal: boolean;
  hasApiKey: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ProviderPresetInfo {
  preset: ProviderPresetName;
  kind: ProviderKind;
  label: string;
  baseUrl: string;
  needsKey: boolean;
  isLocal: boolean;
}

/** A local server found running (Ollama, LM Studio) that is not necessarily configured yet. */
export interface DetectedProvider {
  preset: ProviderPresetName;
  baseUrl: string;
  models: string[];
}

export interface ChatSettings {
  /** Let the model name a new chat after its first exchange. */
  autoTitle: boolean;
  defaultProviderId: string | null;
  defaultModel: string | null;
  /** Tokens of context sent per request when the provider sets none. */
  contextBudget: number;
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
  model: string;
}

export interface UsageProviderRow extends UsageSummary {
  providerId: string;
}

/** Latency over succeeded runs (milliseconds); null where no run recorded that time. */
export interface UsageLatencyRow {
  providerId: string;
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
/** Jumping to a message (issue 4): the page of its branch around it, and cursors both ways. */
export interface MessageWindow {
  sessionId: string;
  /** The message jumped to; it is in `items`. */
  messageId: string;
  /** The leaf of the branch shown: the session's current leaf afterwards. */
  leafId: string;
  /** True when the jump switched the session to another branch. */
  branchChanged: boolean;
  /** Oldest first. */
  items: BranchMessage[];
  /** `messages.listBranch` cursor for the page above items[0]; null at the root. */
  olderCursor: string | null;
  /** `messages.listNewer` `after` for the page below the last item; null when items reach the leaf. */
  newerCursor: string | null;
}

/** A hit of Find in the open chat; hits come in branch order, oldest first. */
export interface SessionSearchHit {
  messageId: string;
  role: MessageRole;
  /** Snippet text with hits wrapped in SNIPPET_MARK_START / SNIPPET_MARK_END. */
  snippet: string;
  createdAt: string;
}

export interface SessionSearchResult {
  hits: SessionSearchHit[];
  /** More hits than `limit` exist on the branch; only the first `limit` are returned. */
  truncated: boolean;
  tookMs: number;
}
