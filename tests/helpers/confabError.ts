import { expect } from 'vitest';
import { ConfabError } from '../../src/shared/errors';

/** Asserts that `promise` rejects with a ConfabError carrying `code` (the error the UI turns into a sentence). */
export async function expectConfabError(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  expect((err as ConfabError).code).toBe(code);
}
