/**
 * Settings → Data: import (upload, dry run, the job with progress, cancel and its report), a
 * Confab export, and backups (list, back up now, restore by merging). Jobs report progress as
 * job.progress events; the slice listens while one of its jobs runs.
 */
import type { BackupInfoEntry, ConfabExportManifest, ImportPreview, ImportReport, JobProgress, RestoreReport } from '@shared/types';
import type { SliceCreator } from '../../app/types';
import { deliverExport, deliveryMessage } from './deliver';
import { uploadFile } from './upload';

export type ImportStep =
  | { step: 'idle' }
  | { step: 'uploading'; fileName: string; sent: number; total: number }
  | { step: 'preview'; fileName: string; uploadId: string; preview: ImportPreview }
  | { step: 'importing'; fileName: string; jobId: string | null; progress: JobProgress | null }
  | { step: 'done'; fileName: string; report: ImportReport }
  | { step: 'failed'; fileName: string; message: string };

export interface DataSlice {
  dataImport: ImportStep;
  dataBackups: { dataDir: string; backups: BackupInfoEntry[] } | null;
  /** What Export / Back up now / Restore is doing, and how it ended. */
  dataTask: { running: 'export' | 'backup' | 'restore' | null; progress: JobProgress | null; message: string | null };
  /** The last Confab export's counts and checksum. */
  dataLastExport: ConfabExportManifest | null;
  dataLastRestore: RestoreReport | null;
  chooseImportFile(file: File): Promise<void>;
  startDataImport(): Promise<void>;
  cancelDataImport(): Promise<void>;
  resetDataImport(): void;
  loadBackups(): Promise<void>;
  backUpNow(): Promise<void>;
  restoreBackup(file: string, mode?: 'merge' | 'replace'): Promise<void>;
  exportEverything(): Promise<void>;
  /** Every active chat's Markdown in one zip, or the chosen chats'. */
  exportChatsMarkdown(sessionIds?: string[]): Promise<void>;
  /** One chat as Markdown; the outcome's sentence (for the palette, which has no panel). */
  exportChatMarkdown(sessionId: string): Promise<string | null>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const createDataSlice: SliceCreator<DataSlice> = (set, get, { api, attempt }) => {
  /** Shows the progress of the job of `kind` while `run` lasts. */
  const withProgress = async <T>(kind: string, onProgress: (p: JobProgress) => void, run: () => Promise<T>): Promise<T> => {
    const off = api.on('job.progress', (p) => {
      if (p.kind === kind) onProgress(p);
    });
    try {
      return await run();
    } finally {
      off();
    }
  };
  const task = async (running: 'export' | 'backup' | 'restore', kind: string, run: () => Promise<string>) => {
    set({ dataTask: { running, progress: null, message: null } });
    const result = await attempt(() => withProgress(kind, (progress) => set((s) => ({ dataTask: { ...s.dataTask, progress } })), run));
    set({ dataTask: { running: null, progress: null, message: result.ok ? result.value : null } });
    void get().loadBackups();
  };

  return {
    dataImport: { step: 'idle' },
    dataBackups: null,
    dataTask: { running: null, progress: null, message: null },
    dataLastExport: null,
    dataLastRestore: null,

    async chooseImportFile(file) {
      const fileName = file.name;
      set({ dataImport: { step: 'uploading', fileName, sent: 0, total: file.size } });
      try {
        const uploadId = await uploadFile(api, file, (sent, total) => set({ dataImport: { step: 'uploading', fileName, sent, total } }));
        const preview = await api.import.preview({ uploadId });
        set({ dataImport: { step: 'preview', fileName, uploadId, preview } });
      } catch (error) {
        set({ dataImport: { step: 'failed', fileName, message: messageOf(error) } });
      }
    },

    async startDataImport() {
      const current = get().dataImport;
      if (current.step !== 'preview') return;
      const { fileName, uploadId } = current;
      set({ dataImport: { step: 'importing', fileName, jobId: null, progress: null } });
      try {
        const report = await withProgress(
          current.preview.source === 'confab' ? 'restore' : 'import',
          (progress) => set((s) => (s.dataImport.step === 'importing' ? { dataImport: { ...s.dataImport, jobId: progress.id, progress } } : {})),
          async () => {
            const { jobId } = await api.import.start({ uploadId });
            set((s) => (s.dataImport.step === 'importing' ? { dataImport: { ...s.dataImport, jobId } } : {}));
            return api.import.result({ jobId });
          },
        );
        set({ dataImport: { step: 'done', fileName, report } });
      } catch (error) {
        set({ dataImport: { step: 'failed', fileName, message: messageOf(error) } });
      }
      void get().loadBackups();
    },

    async cancelDataImport() {
      const current = get().dataImport;
      if (current.step === 'importing' && current.jobId) await attempt(() => api.jobs.cancel({ id: current.jobId! }));
    },

    resetDataImport() {
      set({ dataImport: { step: 'idle' } });
    },

    async loadBackups() {
      const result = await attempt(() => api.backup.list({}));
      if (result.ok) set({ dataBackups: result.value });
    },

    backUpNow: () =>
      task('backup', 'export', async () => {
        const backup = await api.backup.create({});
        return `Backed up to ${backup.file}.`;
      }),

    restoreBackup: (file, mode = 'merge') =>
      task('restore', 'restore', async () => {
        const report = await api.backup.restore({ file, mode });
        set({ dataLastRestore: report });
        const added = Object.values(report.inserted).reduce((a, b) => a + b, 0);
        const updated = Object.values(report.updated).reduce((a, b) => a + b, 0);
        if (mode === 'replace') {
          const removed = Object.values(report.removed ?? {}).reduce((a, b) => a + b, 0);
          return `Replaced the data with ${file}: ${added} rows added, ${updated} taken from the backup, ${removed} removed.`;
        }
        return `Restored ${file}: ${added} rows added, ${updated} updated from the backup, nothing deleted.`;
      }),

    exportEverything: () =>
      task('export', 'export', async () => {
        const delivery = await deliverExport(api, { kind: 'confab' });
        const manifest = delivery.kind === 'cancelled' ? undefined : delivery.manifest;
        if (manifest) set({ dataLastExport: manifest });
        const what = manifest ? `Exported ${manifest.rows.chat_sessions ?? 0} chats and ${manifest.rows.messages ?? 0} messages` : 'Export';
        return deliveryMessage(what, delivery);
      }),

    exportChatsMarkdown: (sessionIds) =>
      task('export', 'export', async () => {
        const delivery = await deliverExport(api, sessionIds ? { kind: 'markdownZip', sessionIds } : { kind: 'markdownZip' });
        return deliveryMessage(sessionIds ? `${sessionIds.length} chats as Markdown` : 'All chats as Markdown', delivery);
      }),

    async exportChatMarkdown(sessionId) {
      const delivered = await attempt(() => deliverExport(api, { kind: 'markdown', sessionId }));
      return delivered.ok ? deliveryMessage('Chat as Markdown', delivered.value) : null;
    },
  };
};
