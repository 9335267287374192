/**
 * Chat settings, stored as one JSON object under the local `settings` key 'chat'. Values are
 * read through defaults, so a settings row written by an older or newer Confab still works.
 */
import type { ChangeSource } from '@shared/changes';
import type { ChatSettings } from '@shared/types';
import type { DbClient } from '../db/client';
import { DEFAULT_CONTEXT_BUDGET } from '../chat/context';

export const CHAT_SETTINGS_KEY = 'chat';

export const DEFAULT_CHAT_SETTINGS: ChatSettings = {
  autoTitle: true,
  defaultProviderId: null,
  defaultModel: null,
  contextBudget: DEFAULT_CONTEXT_BUDGET,
};

export function readChatSettings(value: unknown): ChatSettings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' && x.length > 0 ? x : null);
  const budget = v.contextBudget;
  return {
    autoTitle: typeof v.autoTitle === 'boolean' ? v.autoTitle : DEFAULT_CHAT_SETTINGS.autoTitle,
    defaultProviderId: str(v.defaultProviderId),
    defaultModel: str(v.defaultModel),
    contextBudget:
      typeof budget === 'number' && Number.isInteger(budget) && budget > 0
        ? budget
        : DEFAULT_CHAT_SETTINGS.contextBudget,
  };
}

export class ChatSettingsStore {
  constructor(private readonly db: DbClient) {}

  async get(): Promise<ChatSettings> {
    return readChatSettings(await this.db.call('settings.get', { key: CHAT_SETTINGS_KEY }));
  }

  async set(patch: Partial<ChatSettings>, source: ChangeSource = 'local'): Promise<ChatSettings> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    return readChatSettings(
      await this.db.call('settings.merge', { key: CHAT_SETTINGS_KEY, patch: defined }, { source }),
    );
  }
}
