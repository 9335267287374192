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

/**
 * A ChatGPT conversations.json of `conversations` linear chats of `messagesEach` messages; the
 * same arguments always give the same ids and text, so a bigger call is a newer export of a
 * smaller one. `extra` adds words to one message: extra[`${c}/${m}`].
 */
export function syntheticChatGpt(conversations: number, messagesEach: number, extra: Record<string, string> = {}) {
  return Array.from({ length: conversations }, (_, c) => {
    const mapping: Record<string, unknown> = {};
    for (let m = 0; m < messagesEach; m++) {
      const words = extra[`${c}/${m}`];
      mapping[`n${m}`] = {
        id: `n${m}`,
        parent: m === 0 ? null : `n${m - 1}`,
        message: {
          id: `n${m}`,
          author: { role: m % 2 === 0 ? 'user' : 'assistant' },
          create_time: 1_800_000_000 + c * 100 + m,
          content: {
            content_type: 'text',
            parts: [`Conversation ${c} message ${m} about lighthouses${words ? ` ${words}` : ''}`],
          },
          metadata: {},
        },
      };
    }
    return {
      conversation_id: `synthetic-${c}`,
      title: `Synthetic ${c}`,
      create_time: 1_800_000_000 + c * 100,
      mapping,
    };
  });
}
