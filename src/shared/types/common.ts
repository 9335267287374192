/**
 * Shapes shared by several domains.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null when there is none. */
  nextCursor: string | null;
}
