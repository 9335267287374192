/**
 * The file an export request gives the user: its suggested name, type and bytes, made once for
 * both hosts (Electron writes it where the save dialog says, the web host sends it to download).
 */
import { readFile } from 'node:fs/promises';
import { ConfabError } from '@shared/errors';
import { basename } from 'node:path';
import type { ExportRequest } from '@shared/contract/export';
import type { ConfabExportManifest } from '@shared/types';
import type { DbClient } from '../db/client';
import type { DataService } from '../backup/service';
import { readChosenBranch } from './branch';
import { chatToMarkdown, markdownFileName } from './markdown';
import { writeZip } from './zipWriter';

export interface ProducedFile {
  fileName: string;
  mimeType: string;
  /** Bytes in memory (Markdown), or a file already written (a Confab export: it can be huge). */
  content: { bytes: Buffer } | { path: string; sizeBytes: number };
  manifest?: ConfabExportManifest;
}

/**
 * The largest file handed to the page as one download (base64 in a single answer). A Confab
 * export with attached files can be far larger; the web host then points at the written file.
 */
export const PAGE_DOWNLOAD_MAX_BYTES = 64 * 1024 * 1024;

/** The file's bytes for a download in the page, refused with a sentence when too large. */
export async function bytesForDownload(file: ProducedFile): Promise<Buffer> {
  if ('bytes' in file.content) return file.content.bytes;
  if (file.content.sizeBytes > PAGE_DOWNLOAD_MAX_BYTES) {
    throw new ConfabError(
      'invalid_input',
      `This export is ${Math.ceil(file.content.sizeBytes / 1024 / 1024)} MB, too large to download through the page. It was written to ${file.content.path}.`,
    );
  }
  return readFile(file.content.path);
}

export async function chatMarkdown(db: DbClient, sessionId: string): Promise<{ fileName: string; markdown: string }> {
  const session = await db.call('sessions.get', { id: sessionId });
  const branch = await readChosenBranch(db, sessionId);
  return { fileName: markdownFileName(session.title), markdown: chatToMarkdown(session, branch) };
}

async function activeSessionIds(db: DbClient): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof db.call<'sessions.list'>>> = await db.call('sessions.list', {
      view: 'active',
      limit: 500,
      cursor,
    });
    ids.push(...page.items.map((s) => s.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** Two chats called "Notes" become Notes.md and Notes-2.md. */
function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = name.replace(/\.md$/, `-${n}.md`);
  taken.add(candidate);
  return candidate;
}

export function suggestedFileName(request: ExportRequest, at = new Date()): string {
  const day = at.toISOString().slice(0, 10);
  if (request.kind === 'confab') return `confab-export-${day}.jsonl`;
  if (request.kind === 'markdownZip') return `confab-chats-${day}.zip`;
  return 'chat.md';
}

export async function produceExportFile(
  db: DbClient,
  data: DataService,
  request: ExportRequest,
): Promise<ProducedFile> {
  switch (request.kind) {
    case 'confab': {
      const result = await data.exportConfab(request.sessionIds ?? null);
      return {
        fileName: basename(result.path),
        mimeType: 'application/jsonl',
        content: { path: result.path, sizeBytes: result.bytes },
        manifest: result.manifest,
      };
    }
    case 'markdown': {
      const { fileName, markdown } = await chatMarkdown(db, request.sessionId);
      return { fileName, mimeType: 'text/markdown;charset=utf-8', content: { bytes: Buffer.from(markdown, 'utf8') } };
    }
    case 'markdownZip': {
      const ids = request.sessionIds ?? (await activeSessionIds(db));
      const taken = new Set<string>();
      const files = [];
      for (const id of ids) {
        const { fileName, markdown } = await chatMarkdown(db, id);
        files.push({ name: uniqueName(fileName, taken), data: markdown });
      }
      return { fileName: suggestedFileName(request), mimeType: 'application/zip', content: { bytes: writeZip(files) } };
    }
  }
}
