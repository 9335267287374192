import { z } from 'zod';
import { storedJson } from './fields';
import { method } from './spec';

const key = z.string().min(1).max(100);

/** Free-form view state kept on this device (open tabs, theme): never synced. */
export const uiMethods = {
  'ui.get': method<unknown>()(z.object({ key }).strict()),
  'ui.set': method<null>()(z.object({ key, value: storedJson(z.json()) }).strict()),
};

export const uiEvents = {};
