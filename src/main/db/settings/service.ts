/** The worker's app settings: JSON objects by key, merged one patch at a time. */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as settings from './repository';

export const settingsService = (ctx: RepoContext) => ({
  'settings.get': reader((i: { key: string }) => settings.getSetting(ctx, i.key)),
  'settings.merge': (i: { key: string; patch: Record<string, unknown> }) => settings.mergeSetting(ctx, i.key, i.patch),
});
