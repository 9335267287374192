/**
 * Every operation the DB worker offers, by name, combined from one service per domain. The main
 * thread calls these through DbClient (Signal's MainSQL pattern); it never sees SQL. Inputs
 * arrive already validated by the contract or built by trusted main-process code. Adding a
 * domain is its folder plus one line below.
 */
import type { RepoContext } from './context';
import { attachmentsService } from './attachments/service';
import { chatService } from './chat/service';
import { importService } from './import/service';
import { durabilityService } from './durability/service';
import { logsService } from './logs/service';
import { maintenanceService } from './maintenance/service';
import { messagesService } from './messages/service';
import { providersService } from './providers/service';
import { searchService } from './search/service';
import { sessionsService } from './sessions/service';
import { settingsService } from './settings/service';
import { syncService } from './sync/service';
import { toolsService } from './tools/service';
import { teamSyncService } from './sync/teamService';
import { uiService } from './ui/service';
import { usageService } from './usage/service';

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Merges services, refusing a method name that two domains both declare. */
export function combineServices<T extends readonly object[]>(...services: T): UnionToIntersection<T[number]> {
  const combined: Record<string, unknown> = {};
  for (const service of services) {
    for (const [name, fn] of Object.entries(service)) {
      if (Object.hasOwn(combined, name)) throw new Error(`Two DB services declare "${name}".`);
      combined[name] = fn;
    }
  }
  return combined as UnionToIntersection<T[number]>;
}

export function createDbService(ctx: RepoContext) {
  return combineServices(
    sessionsService(ctx),
    messagesService(ctx),
    searchService(ctx),
    usageService(ctx),
    uiService(ctx),
    providersService(ctx),
    settingsService(ctx),
    chatService(ctx),
    maintenanceService(ctx),
    logsService(ctx),
    importService(ctx),
    durabilityService(ctx),
    attachmentsService(ctx),
    toolsService(ctx),
    syncService(ctx),
    teamSyncService(ctx),
  );
}

export type DbService = ReturnType<typeof createDbService>;
export type DbMethod = keyof DbService;
export type DbInput<K extends DbMethod> = Parameters<DbService[K]>[0];
export type DbOutput<K extends DbMethod> = Awaited<ReturnType<DbService[K]>>;
