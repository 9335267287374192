import { z } from 'zod';
import type { ExportResult } from '../types/export';
import { id } from './fields';
import { method } from './spec';

export const exportMethods = {
  /**
   * A Confab export (JSON Lines with a manifest and checksum) of everything, or of the chosen
   * chats, written to the data folder's exports/; a job (progress, cancel) while writes pause.
   */
  'export.confab': method<ExportResult>()(z.object({ sessionIds: z.array(id).min(1).max(10_000).optional() }).strict()),
  /** One chat as Markdown: the chosen branch, reasoning folded, models named. */
  'export.markdown': method<{ fileName: string; markdown: string }>()(z.object({ sessionId: id }).strict()),
};

export const exportEvents = {};
