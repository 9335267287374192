import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Confab';

/**
 * Where Confab keeps its data when CONFAB_DATA_DIR is not set. It matches Electron's
 * app.getPath('userData') for the product name, so the desktop app and the web host open the
 * same history by default (the data-dir lock keeps them from doing so at the same time).
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

export function resolveDataDir(fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.CONFAB_DATA_DIR?.trim() ? env.CONFAB_DATA_DIR : fallback;
}
