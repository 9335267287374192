/**
 * PostgreSQL errors a user (or a hostile payload) can cause, turned into typed errors with a
 * sentence. Anything else stays 'internal' and is logged, so a real bug is never disguised.
 */
import { ConfabError, toErrorData, type ConfabErrorData } from '@shared/errors';
import { formatLimit, MESSAGE_MAX_CHARS, SESSION_DESCRIPTION_MAX_CHARS, SYSTEM_PROMPT_MAX_CHARS } from '@shared/limits';

const NOT_SAVED = 'Some of the data was not valid and nothing was saved.';

/** CHECK constraints whose refusal deserves a sentence of its own (migration 0004 adds the limits). */
const CONSTRAINT_SENTENCES: Record<string, string> = {
  messages_content_length: `A message can be at most ${formatLimit(MESSAGE_MAX_CHARS)} characters.`,
  chat_sessions_system_prompt_length: `A system prompt can be at most ${formatLimit(SYSTEM_PROMPT_MAX_CHARS)} characters.`,
  chat_sessions_description_length: `A description can be at most ${formatLimit(SESSION_DESCRIPTION_MAX_CHARS)} characters.`,
  chat_sessions_title_length: 'A title can be at most 500 characters.',
};

/** SQLSTATEs of invalid values: bad text, bad dates, numbers out of range, unknown parameters. */
const INVALID_VALUE_STATES = new Set([
  '22P02', // invalid_text_representation
  '22001', // string_data_right_truncation
  '22003', // numeric_value_out_of_range
  '22007', // invalid_datetime_format
  '22008', // datetime_field_overflow
  '22021', // character_not_in_repertoire (NUL, bad UTF-8)
  '22P05', // untranslatable_character (e.g. \u0000 inside jsonb)
  '22023', // invalid_parameter_value (e.g. an unknown time zone)
  '22025', // invalid_escape_sequence
  '2201B', // invalid_regular_expression
  '54000', // program_limit_exceeded (a value too large for an index or tsvector)
]);

interface PgErrorLike {
  code?: unknown;
  constraint?: unknown;
}

export function describeDbError(err: unknown): ConfabErrorData {
  if (err instanceof ConfabError) return err.toData();
  const { code, constraint } = (typeof err === 'object' && err !== null ? err : {}) as PgErrorLike;
  if (code === '23505') return { code: 'conflict', message: 'That item already exists.' };
  if (code === '23503') return { code: 'not_found', message: 'A referenced item no longer exists.' };
  if (code === '23514' || code === '23502') {
    const sentence = typeof constraint === 'string' ? CONSTRAINT_SENTENCES[constraint] : undefined;
    return { code: 'invalid_input', message: sentence ? `${sentence} Nothing was saved.` : NOT_SAVED };
  }
  if (typeof code === 'string' && INVALID_VALUE_STATES.has(code)) return { code: 'invalid_input', message: NOT_SAVED };
  return toErrorData(err);
}

/** True when describeDbError would fall back to 'internal': worth a log line. */
export function isUnexpectedDbError(err: unknown): boolean {
  return describeDbError(err).code === 'internal';
}
