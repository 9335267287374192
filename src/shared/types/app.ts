/**
 * The app and its host.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
export interface AppInfo {
  version: string;
  dataDir: string;
  schemaVersion: number;
  engine: string;
  host: 'electron' | 'web';
}
