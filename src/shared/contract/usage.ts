import { z } from 'zod';
import type { FailedRun, ModelPrice, SaveCsvResult, SessionUsage, UsageDashboard, UsageSettings } from '../types';
import { empty, id, limit, timeZone } from './fields';
import { method } from './spec';

/** Longest range the Usage view asks for: ten years of days. */
export const MAX_USAGE_DAYS = 3660;
const dayCount = (r: { fromDay: string; toDay: string }) =>
  (Date.parse(r.toDay) - Date.parse(r.fromDay)) / 86_400_000 + 1;
/** Whole calendar days in the user's zone, both ends included: what the Usage view filters by. */
const dayRangeFields = { fromDay: z.iso.date(), toDay: z.iso.date(), timeZone };
const validDayRange = <T extends { fromDay: string; toDay: string }>(r: T) =>
  dayCount(r) >= 1 && dayCount(r) <= MAX_USAGE_DAYS;
const dayRangeMessage = { message: `must run forward and span at most ${MAX_USAGE_DAYS} days` };
const dayRange = z.object(dayRangeFields).strict().refine(validDayRange, dayRangeMessage);
const modelPriceName = z.string().trim().min(1).max(200);
/** US dollars per million tokens. */
const pricePerMTok = z.number().min(0).max(100_000);
const days = z.number().int().min(1).max(36_500);

export const usageMethods = {
  /** Everything the Usage view shows for a range of days, in one call. */
  'usage.dashboard': method<UsageDashboard>()(
    z
      .object({ ...dayRangeFields, topSessions: limit(50, 10), failedRuns: limit(200, 50) })
      .strict()
      .refine(validDayRange, dayRangeMessage),
  ),
  'usage.session': method<SessionUsage>()(z.object({ sessionId: id }).strict()),
  /** Failed and interrupted runs of the last `hours`, newest first. */
  'usage.failedRuns': method<FailedRun[]>()(
    z
      .object({
        hours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90)
          .default(24),
        limit: limit(500, 50),
      })
      .strict(),
  ),
  /** The range's usage as CSV text (one line per day and model), for the renderer to download. */
  'usage.exportCsv': method<{ filename: string; csv: string }>()(dayRange),
  /** The same CSV saved through the host's save dialog; 'unavailable' where the host has none (web). */
  'usage.saveCsv': method<SaveCsvResult>()(dayRange),

  'usage.getSettings': method<UsageSettings>()(empty),
  /** Null turns a budget, run-detail retention or auto-archive off; logs always have a limit. */
  'usage.setSettings': method<UsageSettings>()(
    z
      .object({
        monthlyTokenBudget: z.number().int().min(1).max(1e15).nullable().optional(),
        monthlyCostBudgetUsd: z.number().min(0.01).max(1e9).nullable().optional(),
        logRetentionDays: days.optional(),
        runDetailRetentionDays: days.nullable().optional(),
        autoArchiveDays: days.nullable().optional(),
      })
      .strict(),
  ),

  'prices.list': method<ModelPrice[]>()(empty),
  'prices.set': method<ModelPrice>()(
    z.object({ model: modelPriceName, inputPerMTok: pricePerMTok, outputPerMTok: pricePerMTok }).strict(),
  ),
  'prices.delete': method<{ deleted: boolean }>()(z.object({ model: modelPriceName }).strict()),
};

export const usageEvents = {};
