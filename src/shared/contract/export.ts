import { z } from 'zod';
import type { ConfabExportManifest, ExportResult } from '../types/export';
import { id } from './fields';
import { method } from './spec';

/** What to give the user: a Confab export, one chat's Markdown, or a zip of many chats' Markdown. */
export const exportRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('confab'), sessionIds: z.array(id).min(1).max(10_000).optional() }).strict(),
  z.object({ kind: z.literal('markdown'), sessionId: id }).strict(),
  /** Without sessionIds: every active chat. */
  z.object({ kind: z.literal('markdownZip'), sessionIds: z.array(id).min(1).max(10_000).optional() }).strict(),
]);
export type ExportRequest = z.infer<typeof exportRequest>;

/**
 * The same, checked first as one strict object, so unknown keys are named like every other
 * method's (a discriminated union alone reports only "no such kind").
 */
const exportInput = z
  .object({
    kind: z.enum(['confab', 'markdown', 'markdownZip']),
    sessionId: id.optional(),
    sessionIds: z.array(id).min(1).max(10_000).optional(),
  })
  .strict()
  .pipe(exportRequest);

/** A file for the browser to download: the web host has no save dialog. */
export interface ExportFile {
  fileName: string;
  mimeType: string;
  base64: string;
  /** A Confab export's row counts and checksum. */
  manifest?: ConfabExportManifest;
}

export type ExportSaveOutcome = { status: 'saved'; path: string; manifest?: ConfabExportManifest } | { status: 'cancelled' } | { status: 'unavailable' };

export const exportMethods = {
  /**
   * A Confab export (JSON Lines with a manifest and checksum) of everything, or of the chosen
   * chats, written to the data folder's exports/; a job (progress, cancel) while writes pause.
   */
  'export.confab': method<ExportResult>()(z.object({ sessionIds: z.array(id).min(1).max(10_000).optional() }).strict()),
  /** One chat as Markdown: the chosen branch, reasoning folded, models named. */
  'export.markdown': method<{ fileName: string; markdown: string }>()(z.object({ sessionId: id }).strict()),
  /** The host's save dialog (Electron); 'unavailable' where there is none: then export.file. */
  'export.save': method<ExportSaveOutcome>()(exportInput),
  /** The file's bytes for a browser download (the web host). */
  'export.file': method<ExportFile>()(exportInput),
};

export const exportEvents = {};
