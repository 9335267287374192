/**
 * At startup, a local Ollama or LM Studio that is running gets set up as a provider (once: a
 * provider the user deletes is not added back), so a new user can chat offline without typing
 * an address. Absence is the normal case and says nothing.
 */
import type { DbClient } from '../db/client';
import type { ProviderService } from './service';
import type { ChatSettingsStore } from '../settings/chatSettings';

/** Local settings key; `adoptedLocal` lists "preset address" pairs already set up once. */
const PROVIDERS_SETTINGS_KEY = 'providers';

const urlKey = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();

function readAdopted(value: unknown): string[] {
  const list = (value as { adoptedLocal?: unknown } | null)?.adoptedLocal;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
}

/** Returns the ids of the providers it set up. */
export async function adoptLocalProviders(
  db: DbClient,
  providers: ProviderService,
  settings: ChatSettingsStore,
): Promise<string[]> {
  const detected = await providers.detectLocal();
  if (detected.length === 0) return [];
  const adopted = readAdopted(await db.call('settings.get', { key: PROVIDERS_SETTINGS_KEY }));
  const existing = await providers.list();
  const added: string[] = [];
  for (const found of detected) {
    const key = `${found.preset} ${urlKey(found.baseUrl)}`;
    if (adopted.includes(key) || existing.some((c) => urlKey(c.baseUrl) === urlKey(found.baseUrl))) continue;
    const config = await providers.create(
      { preset: found.preset, baseUrl: found.baseUrl, defaultModel: found.models[0] ?? null },
      'system',
    );
    adopted.push(key);
    added.push(config.id);
    const chat = await settings.get();
    if (!chat.defaultProviderId) {
      await settings.set({ defaultProviderId: config.id, defaultModel: config.defaultModel }, 'system');
    }
  }
  if (added.length > 0) {
    await db.call('settings.merge', { key: PROVIDERS_SETTINGS_KEY, patch: { adoptedLocal: adopted } }, { source: 'system' });
  }
  return added;
}
