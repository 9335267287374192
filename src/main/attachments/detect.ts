/**
 * What a file really is, from its bytes (`file-type` reads the magic numbers), never from its
 * name: a program named photo.png is refused as what it is. Text has no magic number, so a file
 * that is valid UTF-8 without NUL bytes is text; only then does the name choose which text label
 * it gets (Markdown, CSV, JSON, code), which changes how it is shown, never what is trusted.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileTypeFromFile } from 'file-type';
import { ACCEPTED_DESCRIPTION, DOCX_MEDIA_TYPE, IMAGE_MEDIA_TYPES, PDF_MEDIA_TYPE } from '@shared/attachments';
import { ConfabError } from '@shared/errors';

/** Enough of a text file to judge its encoding and sniff SVG or HTML. */
const TEXT_SNIFF_BYTES = 64 * 1024;

const CODE_EXTENSIONS = new Set([
  '.js',
  '.mjs',
  '.cjs',
  '.ts',
  '.tsx',
  '.jsx',
  '.py',
  '.rb',
  '.go',
  '.rs',
  '.java',
  '.kt',
  '.c',
  '.h',
  '.cc',
  '.cpp',
  '.hpp',
  '.cs',
  '.swift',
  '.php',
  '.sh',
  '.bash',
  '.zsh',
  '.sql',
  '.yaml',
  '.yml',
  '.toml',
  '.ini',
  '.css',
  '.scss',
  '.lua',
  '.r',
  '.scala',
  '.hs',
  '.ex',
  '.exs',
  '.erl',
  '.clj',
  '.dart',
  '.vue',
  '.svelte',
  '.xml',
]);

/** Binary types file-type may name for text we handle ourselves. */
const TEXTUAL_DETECTIONS = new Set(['application/xml', 'text/xml', 'image/svg+xml', 'text/html']);

export async function detectMediaType(path: string, fileName: string): Promise<string> {
  const detected = await fileTypeFromFile(path).catch(() => undefined);
  if (detected && !TEXTUAL_DETECTIONS.has(detected.mime)) {
    if ((IMAGE_MEDIA_TYPES as readonly string[]).includes(detected.mime)) return detected.mime;
    if (detected.mime === PDF_MEDIA_TYPE || detected.mime === DOCX_MEDIA_TYPE) return detected.mime;
    throw refusal(`this file is ${describe(detected.ext)}`);
  }
  const head = await readHead(path, TEXT_SNIFF_BYTES);
  const text = decodeText(head);
  if (text === null) throw refusal('this file is not one of them');
  return textLabel(text, fileName);
}

function refusal(what: string): ConfabError {
  return new ConfabError('invalid_input', `Confab can attach ${ACCEPTED_DESCRIPTION}; ${what}. Nothing was attached.`);
}

function describe(ext: string): string {
  return `a .${ext} file`;
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The head as text, or null when it is not UTF-8 text (a NUL byte, or an invalid sequence). */
export function decodeText(head: Uint8Array): string | null {
  if (head.includes(0)) return null;
  try {
    // stream: true lets the head end inside a multi-byte character.
    return new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return null;
  }
}

export function textLabel(text: string, fileName: string): string {
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 2048)
    .toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg[^>]*>\s*)?<svg[\s>]/.test(start)) return 'image/svg+xml';
  if (/^(<!--[\s\S]*?-->\s*)*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/.test(start)) return 'text/html';
  const ext = extname(fileName).toLowerCase();
  if (ext === '.md' || ext === '.markdown') return 'text/markdown';
  if (ext === '.csv') return 'text/csv';
  if (ext === '.json') return 'application/json';
  if (ext === '.svg') return 'text/plain';
  if (CODE_EXTENSIONS.has(ext)) return 'text/x-code';
  return 'text/plain';
}
