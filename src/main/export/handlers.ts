/** export.*: a Confab export of all or chosen chats, chats as Markdown, and giving the user the file. */
import type { ConfabExportManifest } from '@shared/types';
import type { DbClient } from '../db/client';
import type { DataService } from '../backup/service';
import type { HandlerSlice, SaveTextFile } from '../kit/handlers';
import { bytesForDownload, chatMarkdown, produceExportFile, suggestedFileName } from './files';

export function exportHandlers(db: DbClient, data: DataService, saveFile?: SaveTextFile): HandlerSlice<'export'> {
  return {
    'export.confab': (i) => data.exportConfab(i.sessionIds ?? null),
    'export.markdown': (i) => chatMarkdown(db, i.sessionId),
    'export.save': async (i) => {
      if (!saveFile) return { status: 'unavailable' };
      // The dialog needs a name before the file exists; one chat's name comes from its title.
      const name = i.kind === 'markdown' ? (await chatMarkdown(db, i.sessionId)).fileName : suggestedFileName(i);
      let manifest: ConfabExportManifest | undefined;
      const saved = await saveFile(name, async () => {
        const file = await produceExportFile(db, data, i);
        manifest = file.manifest;
        return 'bytes' in file.content ? file.content.bytes : { fromPath: file.content.path };
      });
      return saved ? { status: 'saved', path: saved.path, ...(manifest ? { manifest } : {}) } : { status: 'cancelled' };
    },
    'export.file': async (i) => {
      const file = await produceExportFile(db, data, i);
      return {
        fileName: file.fileName,
        mimeType: file.mimeType,
        base64: (await bytesForDownload(file)).toString('base64'),
        ...(file.manifest ? { manifest: file.manifest } : {}),
      };
    },
  };
}
