/** usage.* and prices.*: the Usage view, its CSV, budgets and retention settings, model prices. */
import type { DbClient } from '../db/client';
import type { HandlerSlice, SaveTextFile } from '../kit/handlers';
import { usageCsvFilename } from '@shared/csv';

export function usageHandlers(db: DbClient, saveTextFile?: SaveTextFile): HandlerSlice<'usage'> & HandlerSlice<'prices'> {
  return {
    'usage.dashboard': (i) => db.call('usage.dashboard', i),
    'usage.session': (i) => db.call('usage.session', i),
    'usage.failedRuns': (i) => {
      const to = new Date();
      const from = new Date(to.getTime() - i.hours * 3_600_000);
      return db.call('usage.failedRuns', { from: from.toISOString(), to: to.toISOString(), limit: i.limit });
    },
    'usage.exportCsv': (i) => db.call('usage.exportCsv', i),
    'usage.saveCsv': async (i) => {
      if (!saveTextFile) return { status: 'unavailable' };
      const saved = await saveTextFile(usageCsvFilename(i), async () => (await db.call('usage.exportCsv', i)).csv);
      return saved ? { status: 'saved', path: saved.path } : { status: 'cancelled' };
    },
    'usage.getSettings': () => db.call('usage.getSettings', undefined),
    'usage.setSettings': (i) => db.call('usage.setSettings', i),

    'prices.list': () => db.call('prices.list', undefined),
    'prices.set': (i) => db.call('prices.set', i),
    'prices.delete': (i) => db.call('prices.delete', i),
  };
}
