/** Field schemas shared by several domains of the contract. */
import { z } from 'zod';
import { formatLimit, MESSAGE_MAX_CHARS, STORED_JSON_MAX_CHARS, SYSTEM_PROMPT_MAX_CHARS } from '../limits';
import { CHAT_PARAM_LIMITS } from '../chatParams';
import { isKnownTimeZone } from '../timeZone';

/**
 * Ids arrive in any case (UUIDs are case-insensitive) but are compared as strings everywhere
 * after this point (the busy check, maps in views), so they are lower-cased at the boundary.
 */
export const id = z.uuid().transform((v) => v.toLowerCase());
export const empty = z.object({}).strict();
export const limit = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);
export const isoDate = z.iso.datetime({ offset: true });
/** IANA time zone names known to this runtime; they reach SQL only as parameters. */
export const timeZone = z
  .string()
  .max(64)
  .refine(isKnownTimeZone, 'must be a known time zone name, such as Europe/Berlin or UTC')
  .default('UTC');
export const modelName = z.string().trim().min(1).max(200);
export const contextBudget = z.number().int().min(256).max(10_000_000);
/** Sampling parameters; null in a field clears it (back to the provider's default). */
export const chatParams = z
  .object({
    temperature: z.number().min(CHAT_PARAM_LIMITS.temperature.min).max(CHAT_PARAM_LIMITS.temperature.max).nullable().optional(),
    topP: z.number().min(CHAT_PARAM_LIMITS.topP.min).max(CHAT_PARAM_LIMITS.topP.max).nullable().optional(),
    maxOutputTokens: z
      .number()
      .int()
      .min(CHAT_PARAM_LIMITS.maxOutputTokens.min)
      .max(CHAT_PARAM_LIMITS.maxOutputTokens.max)
      .nullable()
      .optional(),
  })
  .strict();
/** A JSON value a view stores; bounded so that every valid request fits the transport. */
export const storedJson = <T extends z.ZodType>(schema: T) =>
  schema.refine(
    (v) => (JSON.stringify(v) ?? '').length <= STORED_JSON_MAX_CHARS,
    `must be at most ${formatLimit(STORED_JSON_MAX_CHARS)} characters as JSON`,
  );
/** A message a user sends or edits: never empty, never over the one limit of a message. */
export const messageText = z
  .string()
  .max(MESSAGE_MAX_CHARS, `a message can be at most ${formatLimit(MESSAGE_MAX_CHARS)} characters`)
  .refine((v) => /\S/.test(v), 'must not be empty');
export const systemPrompt = z
  .string()
  .max(SYSTEM_PROMPT_MAX_CHARS, `a system prompt can be at most ${formatLimit(SYSTEM_PROMPT_MAX_CHARS)} characters`);
