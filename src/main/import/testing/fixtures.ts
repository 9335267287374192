/** Test help: the shared import fixtures (real exports; see their SOURCES.md) and temp files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Kept in the repository (MIT data files, with SOURCES.md beside them as their licence asks) so a
// clean checkout anywhere tests the same files; CONFAB_IMPORT_FIXTURES points at another set.
export const FIXTURES_DIR =
  process.env.CONFAB_IMPORT_FIXTURES ?? resolve(import.meta.dirname, '../../../../tests/fixtures/imports');

export const fixture = (relative: string) => join(FIXTURES_DIR, relative);

export function tempFile(name: string, content: string | object): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-import-'));
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

export const tempDir = () => mkdtempSync(join(tmpdir(), 'confab-import-'));
