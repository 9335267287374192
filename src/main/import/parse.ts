/**
 * The import's parser: finds what each document is, streams it and yields one conversation
 * bundle at a time (or the reason a conversation is skipped). Pure with respect to the database:
 * it reads files and yields values; the DB worker writes them.
 */
import type { ImportSource, SkippedConversation } from '@shared/types/import';
import type { ConversationBundle } from '@shared/types/import';
import type { ParsedConversation } from './bundle';
import { looksLikeChatGpt, parseChatGptConversation } from './chatgpt';
import { looksLikeClaude, parseClaudeConversation } from './claude';
import { notAnExport } from './errors';
import { documentText, exportDocuments } from './files';
import { readTopLevel } from './jsonStream';
import { looksLikeOpenWebUi, parseOpenWebUiChat } from './openwebui';
import { isObj, str, type Obj } from './values';

export type ParseEvent =
  | { type: 'conversation'; bundle: ConversationBundle; branchPoints: number }
  | { type: 'skipped'; skipped: SkippedConversation };

export interface ParseOptions {
  /** Bytes read so far of `total` (all documents). */
  onBytes?: (read: number, total: number) => void;
}

type Format = Exclude<ImportSource, 'confab'>;

export function detectConversation(value: Obj): Format | null {
  if (looksLikeChatGpt(value)) return 'chatgpt';
  if (looksLikeOpenWebUi(value)) return 'openwebui';
  if (looksLikeClaude(value)) return 'claude';
  return null;
}

const PARSERS: Record<Format, (value: Obj) => ParsedConversation> = {
  chatgpt: parseChatGptConversation,
  claude: parseClaudeConversation,
  openwebui: parseOpenWebUiChat,
};

/**
 * The parser shares its thread with IPC and windows: after this much work it lets the event loop
 * run (async generators alone only yield to microtasks, which keep everything else waiting).
 */
const SLICE_MS = 4;
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Conversations the file must show before an unknown item counts as skipped, not as "not an export". */
const UNKNOWN_BEFORE_REFUSAL = 3;

export async function* parseExport(paths: readonly string[], options: ParseOptions = {}): AsyncGenerator<ParseEvent> {
  const documents = await exportDocuments(paths);
  const total = documents.reduce((n, d) => n + d.size, 0);
  let read = 0;
  for (const document of documents) {
    let recognized = 0;
    let unknown = 0;
    const onBytes = (bytes: number) => {
      read += bytes;
      options.onBytes?.(read, total);
    };
    let sliceStart = performance.now();
    for await (const item of readTopLevel(documentText(document, onBytes), document.name)) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await breathe();
        sliceStart = performance.now();
      }
      const value = item.value;
      const position = item.kind === 'element' ? `Item ${item.index + 1}` : 'The chat';
      const format = isObj(value) ? detectConversation(value) : null;
      if (!format || !isObj(value)) {
        unknown++;
        if (recognized === 0 && (unknown >= UNKNOWN_BEFORE_REFUSAL || item.kind === 'object'))
          throw notAnExport(document.name);
        yield {
          type: 'skipped',
          skipped: { title: `${position} of ${document.name}`, reason: 'It is not a conversation Confab recognizes.' },
        };
        continue;
      }
      recognized++;
      let parsed: ParsedConversation;
      try {
        parsed = PARSERS[format](value);
      } catch (err) {
        const title = str(value.title) ?? str(value.name) ?? `${position} of ${document.name}`;
        yield {
          type: 'skipped',
          skipped: { title, reason: `It could not be read (${err instanceof Error ? err.message : String(err)}).` },
        };
        continue;
      }
      if ('skipped' in parsed) yield { type: 'skipped', skipped: parsed.skipped };
      else yield { type: 'conversation', bundle: parsed.bundle, branchPoints: parsed.branchPoints };
    }
    if (recognized === 0 && unknown > 0) throw notAnExport(document.name);
  }
}
