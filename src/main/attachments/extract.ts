/**
 * Reading a stored file: the text of a document (plain text kinds as they are, PDF through unpdf,
 * DOCX through mammoth) and the size of an image. Runs in the extraction worker
 * (extractWorker.ts), never on the main thread: a 50 MB PDF takes seconds of parsing.
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { DOCX_MEDIA_TYPE, IMAGE_MEDIA_TYPES, PDF_MEDIA_TYPE } from '@shared/attachments';
import { MESSAGE_MAX_CHARS } from '@shared/limits';
import { IMAGE_HEAD_BYTES, imageSize } from './imageSize';

export interface ExtractRequest {
  path: string;
  mediaType: string;
  /** Longest text kept (a message's own limit by default). */
  maxChars?: number;
}

export interface Extracted {
  text: string | null;
  width: number | null;
  height: number | null;
  /** True when the text was cut at maxChars. */
  truncated: boolean;
}

export async function extract(request: ExtractRequest): Promise<Extracted> {
  const maxChars = request.maxChars ?? MESSAGE_MAX_CHARS;
  const none = { text: null, width: null, height: null, truncated: false };
  if ((IMAGE_MEDIA_TYPES as readonly string[]).includes(request.mediaType)) {
    const size = imageSize(await readHead(request.path, IMAGE_HEAD_BYTES), request.mediaType);
    if (!size) throw new Error('The image could not be read: its header is damaged or cut short.');
    return { ...none, ...size };
  }
  if (request.mediaType === PDF_MEDIA_TYPE) return { ...none, ...cap(await pdfText(request.path, maxChars), maxChars) };
  if (request.mediaType === DOCX_MEDIA_TYPE) return { ...none, ...cap(await docxText(request.path), maxChars) };
  return { ...none, ...(await readTextFile(request.path, maxChars)) };
}

function cap(text: string, maxChars: number): { text: string; truncated: boolean } {
  // NUL cannot be stored in PostgreSQL text; some PDFs carry it.
  const clean = text.replaceAll('\u0000', '');
  return clean.length > maxChars
    ? { text: clean.slice(0, maxChars), truncated: true }
    : { text: clean, truncated: false };
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Streams a text file and stops at maxChars, so a 200 MB log is never whole in memory. */
async function readTextFile(path: string, maxChars: number): Promise<{ text: string; truncated: boolean }> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    text += decoder.decode(chunk as Buffer, { stream: true });
    if (text.length > maxChars) return { text: text.replace(/^\uFEFF/, '').slice(0, maxChars), truncated: true };
  }
  text += decoder.decode();
  return cap(text.replace(/^\uFEFF/, ''), maxChars);
}

/**
 * Page by page, stopping once the text is past the limit: a 5,000-page PDF whose first pages
 * already fill a message is not parsed to the end, and each page's data is released after it.
 */
async function pdfText(path: string, maxChars: number): Promise<string> {
  const { getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(await readFile(path)));
  try {
    const pages: string[] = [];
    let length = 0;
    for (let n = 1; n <= pdf.numPages && length <= maxChars; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      const text = content.items
        .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
        .join('')
        .trim();
      page.cleanup();
      pages.push(text);
      length += text.length + 2;
    }
    return pages.join('\n\n');
  } finally {
    await pdf.destroy();
  }
}

async function docxText(path: string): Promise<string> {
  const mammoth = (await import('mammoth')).default;
  const result = await mammoth.extractRawText({ path });
  return result.value.trim();
}
