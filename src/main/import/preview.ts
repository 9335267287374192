/** The dry run: what a file holds (chats, messages, branches, dates, what is skipped and why). */
import type { ImportPreview } from '@shared/types/import';
import { parseExport, type ParseOptions } from './parse';

export async function previewImport(paths: readonly string[], options: ParseOptions = {}): Promise<ImportPreview> {
  const preview: ImportPreview = {
    source: 'chatgpt',
    conversations: 0,
    messages: 0,
    branchPoints: 0,
    firstAt: null,
    lastAt: null,
    skipped: [],
    repairs: 0,
  };
  let sourceKnown = false;
  for await (const event of parseExport(paths, options)) {
    if (event.type === 'skipped') {
      preview.skipped.push(event.skipped);
      continue;
    }
    const { bundle } = event;
    if (!sourceKnown) {
      preview.source = bundle.source;
      sourceKnown = true;
    }
    preview.conversations++;
    preview.messages += bundle.messages.length;
    preview.branchPoints += event.branchPoints;
    preview.repairs += bundle.repairs.length;
    for (const m of bundle.messages) {
      if (!preview.firstAt || m.createdAt < preview.firstAt) preview.firstAt = m.createdAt;
      if (!preview.lastAt || m.createdAt > preview.lastAt) preview.lastAt = m.createdAt;
    }
  }
  return preview;
}
