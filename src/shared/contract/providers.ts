import { z } from 'zod';
import type { ChangeSource } from '../changes';
import type { DetectedProvider, ProviderConfig, ProviderPresetInfo } from '../types';
import { chatParams, contextBudget, empty, id, modelName } from './fields';
import { event, method } from './spec';

const providerPreset = z.enum(['openai', 'ollama', 'lmstudio', 'llamacpp', 'openrouter', 'anthropic', 'custom']);
const providerName = z.string().trim().min(1).max(200);
/** Only http(s): the address is fetched by main, so file: or other schemes must not get through. */
const baseUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => /^https?:\/\/[^\s/?#]+/i.test(v) && URL.canParse(v), 'must be an http:// or https:// address');
const apiKey = z.string().trim().min(1).max(4000);
const modelList = z.array(modelName).max(500);

export const providersMethods = {
  'providers.presets': method<ProviderPresetInfo[]>()(empty),
  'providers.list': method<ProviderConfig[]>()(empty),
  'providers.create': method<ProviderConfig>()(
    z
      .object({
        preset: providerPreset,
        /** Defaults to the preset's label. */
        name: providerName.optional(),
        /** Defaults to the preset's address; required for 'custom'. */
        baseUrl: baseUrl.optional(),
        apiKey: apiKey.optional(),
        defaultModel: modelName.nullable().optional(),
        models: modelList.optional(),
        contextBudget: contextBudget.nullable().optional(),
        params: chatParams.optional(),
      })
      .strict(),
  ),
  'providers.update': method<ProviderConfig>()(
    z
      .object({
        id,
        name: providerName.optional(),
        baseUrl: baseUrl.optional(),
        /** A new key; null removes the stored one; omitted keeps it. */
        apiKey: apiKey.nullable().optional(),
        defaultModel: modelName.nullable().optional(),
        models: modelList.optional(),
        contextBudget: contextBudget.nullable().optional(),
        /** Merged into the provider's parameters; a null field clears it. */
        params: chatParams.optional(),
        enabled: z.boolean().optional(),
      })
      .strict(),
  ),
  'providers.delete': method<{ deleted: boolean }>()(z.object({ id }).strict()),
  /** The server's own list when it answers, else the manual list with the reason in `error`. */
  'providers.models': method<{ models: string[]; source: 'provider' | 'manual'; error: string | null }>()(
    z.object({ id }).strict(),
  ),
  'providers.detectLocal': method<DetectedProvider[]>()(empty),
};

export const providersEvents = {
  /** Providers were added, changed or removed (also by local detection at start-up). */
  'providers.changed': event<{ ids: string[]; source: ChangeSource }>(),
};
