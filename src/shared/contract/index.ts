/**
 * The API contract, declared once, one file per domain. Every method has a name, a zod input
 * schema and an output type; every event a name and a payload type. The handler map (main), the
 * client (preload, web bridge), the channel list and the event list are all derived from the
 * merged declarations, so a method cannot exist on one side only. Adding a domain is one file
 * here plus one line in each list below.
 */
import type { z } from 'zod';
import { appEvents, appMethods } from './app';
import { attachmentsEvents, attachmentsMethods } from './attachments';
import { toolsEvents, toolsMethods } from './tools';
import { syncEvents, syncMethods } from './sync';
import { chatEvents, chatMethods } from './chat';
import { backupEvents, backupMethods } from './backup';
import { exportEvents, exportMethods } from './export';
import { importEvents, importMethods } from './import';
import { jobsEvents, jobsMethods } from './jobs';
import { logsEvents, logsMethods } from './logs';
import { messagesEvents, messagesMethods } from './messages';
import { providersEvents, providersMethods } from './providers';
import { recoveryEvents, recoveryMethods } from './recovery';
import { searchEvents, searchMethods } from './search';
import { sessionsEvents, sessionsMethods } from './sessions';
import { settingsEvents, settingsMethods } from './settings';
import { mergeDeclarations, type EventSpec, type MethodSpec } from './spec';
import { uiEvents, uiMethods } from './ui';
import { usageEvents, usageMethods } from './usage';

export { MAX_USAGE_DAYS } from './usage';

export const contract = mergeDeclarations(
  appMethods,
  sessionsMethods,
  messagesMethods,
  searchMethods,
  chatMethods,
  providersMethods,
  settingsMethods,
  usageMethods,
  uiMethods,
  logsMethods,
  jobsMethods,
  recoveryMethods,
  importMethods,
  attachmentsMethods,
  exportMethods,
  backupMethods,
  toolsMethods,
  syncMethods,
);

const events = mergeDeclarations(
  appEvents,
  sessionsEvents,
  messagesEvents,
  searchEvents,
  chatEvents,
  providersEvents,
  settingsEvents,
  usageEvents,
  uiEvents,
  logsEvents,
  jobsEvents,
  recoveryEvents,
  importEvents,
  attachmentsEvents,
  exportEvents,
  backupEvents,
  toolsEvents,
  syncEvents,
);

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<K extends MethodName> = z.input<Contract[K]['input']>;
export type ParsedInput<K extends MethodName> = z.output<Contract[K]['input']>;
export type MethodOutput<K extends MethodName> = Contract[K] extends MethodSpec<z.ZodType, infer O> ? O : never;

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

/** Events from main to every view, derived from the domains' declarations. */
export type EventMap = { [E in keyof typeof events]: (typeof events)[E] extends EventSpec<infer P> ? P : never };
export type EventName = keyof EventMap;
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** Electron IPC channels all carry this prefix; main ignores anything else. */
export const CHANNEL_PREFIX = 'confab:';
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;
export const channelFor = (name: MethodName): string => `${CHANNEL_PREFIX}${name}`;
