/**
 * The sentences an import fails with. Every one is a typed ConfabError ('invalid_input'), so the
 * view shows it as it is and nothing has been written when it is thrown.
 */
import { ConfabError } from '@shared/errors';

export function importError(message: string, details?: unknown): ConfabError {
  return new ConfabError('invalid_input', message, details);
}

export const notAnExport = (name: string) =>
  importError(
    `${name} is not an export Confab can read: expected a conversations file from ChatGPT, Claude or Open WebUI, or a Confab export.`,
  );

export const truncatedFile = (name: string) =>
  importError(`${name} ends in the middle of a conversation: the file is incomplete (was the download cut short?).`);
