/**
 * backup.*, and the one registration of the data domains (import, export, backup), which share
 * the data service: an import and a restore each take a backup first.
 */
import type { DbClient } from '../db/client';
import { exportHandlers } from '../export/handlers';
import { importHandlers } from '../import/handlers';
import { builtImportParser, type ImportParser } from '../import/parser';
import type { HandlerSlice, SaveTextFile } from '../kit/handlers';
import { backupFilePath, listBackupFiles } from './files';
import { createDataService, type DataService } from './service';

export function backupHandlers(dataDir: string, data: DataService): HandlerSlice<'backup'> {
  return {
    'backup.list': async () => ({ dataDir, backups: listBackupFiles(dataDir) }),
    'backup.create': () => data.backup('manual'),
    'backup.restore': (i) => data.restore(backupFilePath(dataDir, i.file), i.mode),
  };
}

export function dataHandlers(
  db: DbClient,
  dataDir: string,
  appVersion: string,
  saveFile?: SaveTextFile,
  parser: ImportParser = builtImportParser(),
) {
  const data = createDataService(db, dataDir, appVersion);
  data.scheduleDaily();
  return {
    ...importHandlers(db, dataDir, data, parser),
    ...exportHandlers(db, data, saveFile),
    ...backupHandlers(dataDir, data),
  };
}
