/**
 * Frames on the web host's WebSocket (`ws://127.0.0.1:PORT/api`). The page authenticates with
 * the per-start token (cookie set when the page was opened with ?token=…, or ?token= on the
 * socket URL); the server also refuses any foreign Origin.
 */
import type { Envelope } from './client';
import type { EventName } from './contract';

export const WS_PATH = '/api';
export const TOKEN_PARAM = 'token';
export const TOKEN_COOKIE = 'confab_token';

export type ClientFrame = { type: 'call'; id: number; method: string; input: unknown };

export type ServerFrame =
  { type: 'result'; id: number; envelope: Envelope<unknown> } | { type: 'event'; name: EventName; payload: unknown };
