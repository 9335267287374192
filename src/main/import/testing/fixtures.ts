/** Test help: the shared import fixtures (real exports; see their SOURCES.md) and temp files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FIXTURES_DIR = process.env.CONFAB_IMPORT_FIXTURES ?? resolve(import.meta.dirname, '../../../../../shared/fixtures/imports');

export const fixture = (relative: string) => join(FIXTURES_DIR, relative);

export function tempFile(name: string, content: string | object): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-import-'));
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

export const tempDir = () => mkdtempSync(join(tmpdir(), 'confab-import-'));
