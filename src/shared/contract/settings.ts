import { z } from 'zod';
import type { ChangeSource } from '../changes';
import type { ChatSettings } from '../types';
import { contextBudget, empty, id, modelName } from './fields';
import { event, method } from './spec';

export const settingsMethods = {
  'settings.getChat': method<ChatSettings>()(empty),
  'settings.setChat': method<ChatSettings>()(
    z
      .object({
        autoTitle: z.boolean().optional(),
        defaultProviderId: id.nullable().optional(),
        defaultModel: modelName.nullable().optional(),
        contextBudget: contextBudget.optional(),
      })
      .strict(),
  ),
};

export const settingsEvents = {
  /** App settings under these keys changed ('chat' for ChatSettings, 'usage' for UsageSettings). */
  'settings.changed': event<{ keys: string[]; source: ChangeSource }>(),
};
