/** The Electron host's save dialog for exports (the web host downloads in the page instead). */
import { copyFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';
import type { SaveTextFile } from '../kit/handlers';

export function electronSaveTextFile(parent: () => BrowserWindow | null): SaveTextFile {
  return async (suggestedName, produce) => {
    const options = {
      defaultPath: join(app.getPath('downloads'), suggestedName),
      filters: [{ name: extname(suggestedName).slice(1).toUpperCase(), extensions: [extname(suggestedName).slice(1)] }],
    };
    const win = parent();
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    if (result.canceled || !result.filePath) return null;
    const content = await produce();
    if (typeof content === 'object' && 'fromPath' in content) await copyFile(content.fromPath, result.filePath);
    else await writeFile(result.filePath, content, 'utf8');
    return { path: result.filePath };
  };
}
