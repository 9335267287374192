/**
 * The app's own log lines (jobs, slow database calls), kept on this device.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AppLogEntry {
  id: string;
  level: LogLevel;
  /** What wrote it: 'retention', 'db', later 'import', 'backup', 'sync'. */
  source: string;
  message: string;
  details: unknown;
  createdAt: string;
}
