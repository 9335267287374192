/**
 * Every size limit, stated once. The contract validates with these, the web host's WebSocket
 * sizes its frames from them, the database's CHECK constraints (migration 0004) carry the same
 * numbers, and the README quotes them. A request the contract accepts therefore always fits the
 * transport and the database; one over a limit is refused with a sentence naming it.
 */

/** One message (typed, edited, or a model's reply), in UTF-16 code units as JS counts them. */
export const MESSAGE_MAX_CHARS = 5_000_000;
export const SYSTEM_PROMPT_MAX_CHARS = 100_000;
export const SESSION_TITLE_MAX_CHARS = 500;
export const SESSION_DESCRIPTION_MAX_CHARS = 10_000;
/** Any JSON value a view stores (per-chat settings, UI state), measured as JSON text. */
export const STORED_JSON_MAX_CHARS = 1_000_000;
/** A search box's text. */
export const SEARCH_QUERY_MAX_CHARS = 1_000;

/**
 * Largest WebSocket frame the web host accepts. JSON may spend up to six bytes on one UTF-16
 * code unit (`\u0001` for a control character, `\ud800` for a lone surrogate), so the largest
 * valid message needs six times its length, plus room for the rest of the request. Anything
 * bigger cannot be a valid request.
 */
export const WS_MAX_FRAME_BYTES = MESSAGE_MAX_CHARS * 6 + 1024 * 1024;

/** Longest validation message sent back: a payload with 100,000 unknown keys must not echo them all. */
export const ERROR_MESSAGE_MAX_CHARS = 500;

export const formatLimit = (n: number): string => n.toLocaleString('en-US');

/**
 * Attachments. A file is streamed to disk in chunks and hashed as it arrives, so its size is
 * bounded by the disk, not memory; these bound what one file and one message may carry.
 */
export const ATTACHMENT_MAX_FILE_BYTES = 200 * 1024 * 1024;
export const ATTACHMENTS_MAX_PER_MESSAGE = 10;
export const ATTACHMENTS_MAX_MESSAGE_BYTES = 400 * 1024 * 1024;
/** One upload chunk of raw bytes; as base64 in JSON it is about 1.4 MB, far under a frame. */
export const ATTACHMENT_CHUNK_BYTES = 1024 * 1024;
/** A file name as stored and shown. */
export const ATTACHMENT_NAME_MAX_CHARS = 255;
/**
 * Largest image sent to a model: Anthropic refuses images over 5 MB and larger ones cost more
 * than they help. Bigger images stay attached and viewable but are not sent.
 */
export const ATTACHMENT_IMAGE_SEND_MAX_BYTES = 5 * 1024 * 1024;
