import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { ImportPreview, ImportReport } from '@shared/types';
import { useAppStore } from '../../app/context';
import { MarkdownExport } from './MarkdownExport';
import './data.css';

/** Settings → Data: import with a dry run, progress and a checked report; export; backups. */
export function DataSection() {
  const loadBackups = useAppStore((s) => s.loadBackups);
  useEffect(() => {
    void loadBackups();
  }, [loadBackups]);
  return (
    <section className="settings__section data-section" aria-labelledby="data-title">
      <h3 id="data-title">Data</h3>
      <ImportPanel />
      <ExportPanel />
      <BackupsPanel />
    </section>
  );
}

function ImportPanel() {
  const state = useAppStore((s) => s.dataImport);
  const choose = useAppStore((s) => s.chooseImportFile);
  const start = useAppStore((s) => s.startDataImport);
  const cancel = useAppStore((s) => s.cancelDataImport);
  const reset = useAppStore((s) => s.resetDataImport);
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) void choose(file);
  };
  return (
    <div className="data-panel" aria-label="Import">
      <h4>Import</h4>
      {(state.step === 'idle' || state.step === 'failed' || state.step === 'done') && (
        <div
          className={`data-drop${over ? ' data-drop--over' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
        >
          <p className="muted">
            Drop an export here, or choose one: ChatGPT or Claude (conversations.json or the export .zip), Open WebUI (.json), or a Confab export.
          </p>
          <label className="button">
            Choose a file…
            <input
              ref={input}
              type="file"
              className="visually-hidden"
              aria-label="Choose a file to import"
              accept=".json,.zip,.jsonl,.gz"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void choose(file);
                e.target.value = '';
              }}
            />
          </label>
        </div>
      )}
      {state.step === 'uploading' && (
        <p role="status">
          Reading {state.fileName}… <progress max={state.total || 1} value={state.sent} />
        </p>
      )}
      {state.step === 'preview' && (
        <div role="region" aria-label="What the file holds">
          <PreviewSummary fileName={state.fileName} preview={state.preview} />
          <div className="data-actions">
            <button type="button" className="button button--primary" onClick={() => void start()} disabled={state.preview.conversations === 0}>
              Import {count(state.preview.conversations, 'chat', 'chats')}
            </button>
            <button type="button" className="button" onClick={reset}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {state.step === 'importing' && (
        <div role="status" aria-label="Import progress">
          <p>
            Importing {state.fileName}
            {state.progress ? ` — ${state.progress.done} of ${state.progress.total ?? '?'} chats` : '…'}
          </p>
          <progress aria-label="Import progress" max={state.progress?.total ?? 1} value={state.progress?.done ?? 0} />
          <button type="button" className="button" onClick={() => void cancel()} disabled={!state.jobId}>
            Cancel import
          </button>
        </div>
      )}
      {state.step === 'done' && <ReportSummary report={state.report} />}
      {state.step === 'failed' && (
        <p role="alert" className="data-error">
          {state.fileName}: {state.message} Nothing was changed.
        </p>
      )}
    </div>
  );
}

const date = (iso: string | null) => (iso ? iso.slice(0, 10) : '—');
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function PreviewSummary({ fileName, preview }: { fileName: string; preview: ImportPreview }) {
  return (
    <>
      <p>
        <strong>{fileName}</strong> ({SOURCE_NAMES[preview.source]}): {count(preview.conversations, 'chat', 'chats')},{' '}
        {count(preview.messages, 'message', 'messages')}, {count(preview.branchPoints, 'branch point', 'branch points')}, from{' '}
        {date(preview.firstAt)} to {date(preview.lastAt)}.
      </p>
      {preview.skipped.length > 0 && (
        <details>
          <summary>{preview.skipped.length} skipped</summary>
          <ul>
            {preview.skipped.map((s, i) => (
              <li key={i}>
                {s.title}: {s.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

const SOURCE_NAMES: Record<ImportPreview['source'], string> = { chatgpt: 'ChatGPT', claude: 'Claude', openwebui: 'Open WebUI', confab: 'Confab' };

function ReportSummary({ report }: { report: ImportReport }) {
  const v = report.verification;
  return (
    <div role="region" aria-label="Import report" className="data-report">
      <p>Imported and checked: every count matches.</p>
      <table>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Kind</span>
            </th>
            <th>Read</th>
            <th>Added</th>
            <th>Already here</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>Chats</th>
            <td>{v.conversationsRead}</td>
            <td>{v.conversationsWritten}</td>
            <td>{v.conversationsExisting}</td>
          </tr>
          <tr>
            <th>Messages</th>
            <td>{v.messagesRead}</td>
            <td>{v.messagesWritten}</td>
            <td>{v.messagesExisting}</td>
          </tr>
        </tbody>
      </table>
      <p className="muted">
        {v.sampled} messages compared field by field{v.searchFound === true ? '; imported text is found by search' : ''}.
        {report.skipped.length > 0 ? ` ${report.skipped.length} skipped.` : ''}
      </p>
    </div>
  );
}

function ExportPanel() {
  const task = useAppStore((s) => s.dataTask);
  const exportEverything = useAppStore((s) => s.exportEverything);
  return (
    <div className="data-panel" aria-label="Export">
      <h4>Export</h4>
      <p className="muted">A Confab export holds every chat, message, run and setting (API keys only encrypted), with a checksum. Import it on another computer.</p>
      <button type="button" className="button" disabled={task.running !== null} onClick={() => void exportEverything()}>
        Export everything
      </button>
      <p className="muted">Markdown is for reading: the chosen branch of each chat, one file per chat, zipped.</p>
      <MarkdownExport />
    </div>
  );
}

function BackupsPanel() {
  const backups = useAppStore((s) => s.dataBackups);
  const task = useAppStore((s) => s.dataTask);
  const backUpNow = useAppStore((s) => s.backUpNow);
  const restoreBackup = useAppStore((s) => s.restoreBackup);
  const [confirming, setConfirming] = useState<string | null>(null);
  return (
    <div className="data-panel" aria-label="Backups">
      <h4>Backups</h4>
      {backups && (
        <p className="muted">
          Data folder: <code>{backups.dataDir}</code>
        </p>
      )}
      <button type="button" className="button" disabled={task.running !== null} onClick={() => void backUpNow()}>
        Back up now
      </button>
      {task.running && (
        <p role="status">
          {task.running === 'backup' ? 'Backing up' : task.running === 'restore' ? 'Restoring' : 'Exporting'}…
          {task.progress ? ` ${task.progress.done} rows` : ''}
        </p>
      )}
      {task.message && <p role="status">{task.message}</p>}
      {backups && backups.backups.length === 0 && <p className="muted">No backup yet.</p>}
      {backups && backups.backups.length > 0 && (
        <table className="data-backups" aria-label="Backups list">
          <thead>
            <tr>
              <th>Made</th>
              <th>Why</th>
              <th>Size</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {backups.backups.map((b) => (
              <tr key={b.file}>
                <td>{new Date(b.createdAt).toLocaleString()}</td>
                <td>{b.reason}</td>
                <td>{formatBytes(b.sizeBytes)}</td>
                <td>
                  {confirming === b.file ? (
                    <>
                      <button
                        type="button"
                        className="button button--primary"
                        onClick={() => {
                          setConfirming(null);
                          void restoreBackup(b.file);
                        }}
                      >
                        Restore by merging
                      </button>
                      <button
                        type="button"
                        className="button"
                        title="Deletes what the backup does not hold; a backup is taken first"
                        onClick={() => {
                          setConfirming(null);
                          void restoreBackup(b.file, 'replace');
                        }}
                      >
                        Replace everything
                      </button>
                      <button type="button" className="button" onClick={() => setConfirming(null)}>
                        Keep as is
                      </button>
                    </>
                  ) : (
                    <button type="button" className="button" disabled={task.running !== null} aria-label={`Restore the backup of ${b.createdAt}`} onClick={() => setConfirming(b.file)}>
                      Restore…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">
        Restore by merging adds what is missing and keeps anything newer here; nothing is deleted. Replace everything makes the data what the
        backup holds. Either way a backup is taken first, so restoring that one undoes it.
      </p>
    </div>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
