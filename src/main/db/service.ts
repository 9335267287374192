/**
 * Every operation the DB worker offers, by name. The main thread calls these through DbClient
 * (Signal's MainSQL pattern); it never sees SQL. Inputs arrive already validated by the
 * contract or built by trusted main-process code.
 */
import type { UsageSettings } from '@shared/types';
import type { Db } from './database';
import type { RepoContext } from './repositories/context';
import * as sessions from './repositories/sessions';
import * as messages from './repositories/messages';
import * as messageDeletion from './repositories/messageDeletion';
import * as search from './repositories/search';
import * as usage from './repositories/usage';
import * as ui from './repositories/uiState';
import * as providers from './repositories/providers';
import * as settings from './repositories/settings';
import * as generation from './repositories/generation';
import * as analytics from './repositories/analytics';
import * as prices from './repositories/prices';
import * as usageSettings from './repositories/usageSettings';
import { usageDashboard, type DashboardInput } from './repositories/dashboard';
import { exportUsageCsv } from './repositories/usageExport';
import { insertCorpus, type CorpusBatch } from './repositories/bulk';
import { sql } from './sql';
import { tableChecksums } from './repositories/checksum';

export function createDbService(ctx: RepoContext) {
  return {
    'sessions.create': (i: sessions.CreateSessionInput) => sessions.createSession(ctx, i),
    'sessions.get': (i: { id: string }) => sessions.getSession(ctx, i.id),
    'sessions.list': (i: sessions.ListSessionsInput) => sessions.listSessions(ctx, i),
    'sessions.rename': (i: { id: string; title: string }) => sessions.renameSession(ctx, i.id, i.title),
    'sessions.update': (i: sessions.UpdateSessionInput) => sessions.updateSession(ctx, i),
    'sessions.setPinned': (i: { id: string; pinned: boolean }) => sessions.setPinned(ctx, i.id, i.pinned),
    'sessions.setArchived': (i: { id: string; archived: boolean }) => sessions.setArchived(ctx, i.id, i.archived),
    'sessions.trash': (i: { id: string }) => sessions.trashSession(ctx, i.id),
    'sessions.restore': (i: { id: string }) => sessions.restoreSession(ctx, i.id),
    'sessions.purge': async (i: { id: string }) => ({ purged: await sessions.purgeSession(ctx, i.id) }),
    'sessions.emptyTrash': async () => ({ purged: await sessions.emptyTrash(ctx) }),
    'sessions.tags': () => sessions.listTags(ctx),
    'sessions.setCurrentLeaf': (i: { sessionId: string; messageId: string }) =>
      sessions.setCurrentLeaf(ctx, i.sessionId, i.messageId),

    'messages.append': (i: messages.AppendMessageInput) => messages.appendMessage(ctx, i),
    'messages.get': (i: { id: string }) => messages.getMessage(ctx, i.id),
    'messages.updateStreaming': (i: { id: string; content: string }) =>
      messages.updateStreamingContent(ctx, i.id, i.content),
    'messages.finalise': (i: messages.FinaliseMessageInput) => messages.finaliseMessage(ctx, i),
    'messages.listBranch': (i: { sessionId: string; leafId?: string; cursor?: string | null; limit: number }) =>
      messages.listBranch(ctx, i),
    'messages.path': (i: { messageId: string }) => messages.pathToMessage(ctx, i.messageId),
    'messages.siblings': (i: { messageId: string }) => messages.siblingsOf(ctx, i.messageId),
    'messages.newestLeafUnder': (i: { messageId: string }) => messages.newestLeafUnder(ctx, i.messageId),
    'messages.delete': (i: { messageId: string }) => messageDeletion.deleteMessageSubtree(ctx, i.messageId),
    'messages.restore': (i: { messageId: string }) => messageDeletion.restoreMessageSubtree(ctx, i.messageId),
    'messages.locate': (i: { messageId: string; limit: number }) => messages.locateMessage(ctx, i),
    'messages.listNewer': (i: { sessionId: string; after: string | null; limit: number }) => messages.listNewer(ctx, i),

    'search.query': (i: search.SearchInput) => search.searchMessages(ctx, i),
    'search.inSession': (i: search.SessionSearchInput) => search.searchInSession(ctx, i),

    'usage.recordRun': (i: usage.RecordRunInput) => usage.recordRun(ctx, i),
    'usage.totals': (i: usage.UsageRange) => usage.usageTotals(ctx, i),
    'usage.daily': (i: usage.UsageRange) => usage.usageDaily(ctx, i),
    'usage.monthly': (i: usage.UsageRange) => usage.usageMonthly(ctx, i),
    'usage.byModel': (i: usage.UsageRange) => usage.usageByModel(ctx, i),
    'usage.bySession': (i: usage.UsageRange & { limit: number }) => usage.usageBySession(ctx, i),

    'usage.dashboard': (i: DashboardInput) => usageDashboard(ctx, i),
    'usage.session': (i: { sessionId: string }) => analytics.sessionUsage(ctx, i.sessionId),
    'usage.failedRuns': (i: { from: string; to: string; limit: number }) => analytics.failedRuns(ctx, i, i.limit),
    'usage.exportCsv': (i: analytics.DayRange) => exportUsageCsv(ctx, i),
    'prices.list': () => prices.listPrices(ctx),
    'prices.set': (i: prices.SetPriceInput) => prices.setPrice(ctx, i),
    'prices.delete': async (i: { model: string }) => ({ deleted: await prices.deletePrice(ctx, i.model) }),
    'usage.getSettings': () => usageSettings.getUsageSettings(ctx),
    'usage.setSettings': (i: Partial<UsageSettings>) => usageSettings.setUsageSettings(ctx, i),

    'ui.get': (i: { key: string }) => ui.getUiState(ctx, i.key),
    'ui.set': (i: { key: string; value: unknown }) => ui.setUiState(ctx, i.key, i.value),

    'providers.list': () => providers.listProviderConfigs(ctx),
    'providers.get': (i: { id: string }) => providers.getProviderConfig(ctx, i.id),
    'providers.create': (i: providers.CreateProviderInput) => providers.createProviderConfig(ctx, i),
    'providers.update': (i: providers.UpdateProviderInput) => providers.updateProviderConfig(ctx, i),
    'providers.delete': async (i: { id: string }) => ({ deleted: await providers.deleteProviderConfig(ctx, i.id) }),
    'providers.keyCiphertext': (i: { id: string }) => providers.getProviderKeyCiphertext(ctx, i.id),

    'settings.get': (i: { key: string }) => settings.getSetting(ctx, i.key),
    'settings.merge': (i: { key: string; patch: Record<string, unknown> }) =>
      settings.mergeSetting(ctx, i.key, i.patch),

    'generation.begin': (i: generation.BeginGenerationInput) => generation.beginGeneration(ctx, i),
    'generation.runForMessage': (i: { messageId: string }) => generation.runForMessage(ctx, i.messageId),
    'sessions.setTitleIfEmpty': (i: { id: string; title: string }) => generation.setTitleIfEmpty(ctx, i.id, i.title),

    'recovery.interruptUnfinished': async () => ({
      messages: await messages.interruptStreamingMessages(ctx),
      runs: await usage.interruptRunningRuns(ctx),
    }),
    'bulk.insertCorpus': (i: CorpusBatch) => insertCorpus(ctx, i),
    /** Planner statistics: PGlite has no autovacuum, so bulk writers call this afterwards. */
    'maintenance.analyze': async () => {
      await ctx.db.exec('ANALYZE');
      return null;
    },
    /** Row counts and an md5 per table: proof that a refused request changed nothing. */
    'maintenance.checksum': () => tableChecksums(ctx),
    'maintenance.ping': async () => (await ctx.db.query<{ ok: number }>(sql`SELECT 1 AS ok`))[0]?.ok === 1,
  };
}

export type DbService = ReturnType<typeof createDbService>;
export type DbMethod = keyof DbService;
export type DbInput<K extends DbMethod> = Parameters<DbService[K]>[0];
export type DbOutput<K extends DbMethod> = Awaited<ReturnType<DbService[K]>>;

export function createDbServiceFor(db: Db, ownerId: string): DbService {
  return createDbService({ db, ownerId });
}
