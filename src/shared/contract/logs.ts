import { z } from 'zod';
import type { AppLogEntry } from '../types';
import { limit } from './fields';
import { method } from './spec';

export const logsMethods = {
  /** The app's own log lines, newest first: jobs, slow database calls. */
  'logs.recent': method<AppLogEntry[]>()(
    z
      .object({
        minLevel: z.enum(['debug', 'info', 'warn', 'error']).optional(),
        source: z.string().trim().min(1).max(64).optional(),
        limit: limit(1000, 100),
      })
      .strict(),
  ),
};

export const logsEvents = {};
