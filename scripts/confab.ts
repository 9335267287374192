/**
 * The command line for Confab's data jobs, on a data dir while the app is closed (it takes the
 * same lock as the app):
 *
 *   npm run confab -- import <file...> [--dry-run]
 *   npm run confab -- export [--format json|md] [--session ID] [--out FILE]
 *   npm run confab -- backup
 *   npm run confab -- restore <file> [--replace]
 *   npm run confab -- verify
 *
 * Options: --data-dir D (else CONFAB_DATA_DIR, else ./.confab-data). Each prints progress and the
 * verification numbers and exits non-zero on any mismatch or error.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { blobsDirOf } from '../src/main/attachments/blobStore';
import { createDataService } from '../src/main/backup/service';
import { builtPaths } from '../src/main/core/core';
import type { DbClient } from '../src/main/db/client';
import { readChosenBranch } from '../src/main/export/branch';
import { chatToMarkdown, markdownFileName } from '../src/main/export/markdown';
import { isConfabExport, previewConfabExport, restoreAsImportReport } from '../src/main/import/confab';
import { importWorkerBeside, previewInWorker } from '../src/main/import/parser';
import { startImport } from '../src/main/import/run';
import type { ImportReport } from '../src/shared/types/import';
import { openAppDb } from './lib/app-db';
import { resolveDataDir } from './lib/cli';

const VERSION = '0.1.0';

function printProgress(db: DbClient) {
  return db.onJob((event) => {
    if (event.type === 'progress')
      process.stdout.write(
        `\r${event.progress.phase}: ${event.progress.done}${event.progress.total ? ` / ${event.progress.total}` : ''}   `,
      );
    else process.stdout.write('\n');
  });
}

function printReport(report: ImportReport) {
  const v = report.verification;
  console.log(
    `Chats:    read ${v.conversationsRead}, added ${v.conversationsWritten}, already here ${v.conversationsExisting}`,
  );
  console.log(`Messages: read ${v.messagesRead}, added ${v.messagesWritten}, already here ${v.messagesExisting}`);
  console.log(`Compared field by field: ${v.sampled}; search finds imported text: ${v.searchFound ?? 'n/a'}`);
  for (const s of report.skipped) console.log(`Skipped "${s.title}": ${s.reason}`);
  for (const m of v.mismatches) console.log(`MISMATCH ${m}`);
  return v.mismatches.length === 0;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      format: { type: 'string', default: 'json' },
      session: { type: 'string' },
      out: { type: 'string' },
      replace: { type: 'boolean', default: false },
    },
  });
  const [command, ...files] = positionals;
  const dataDir = resolveDataDir(values['data-dir']);
  const paths = builtPaths(import.meta.dirname);
  const parser = { workerPath: importWorkerBeside(paths.workerPath) };
  if (command === 'import' && values['dry-run']) {
    const path = resolve(files[0] ?? '');
    const preview = (await isConfabExport(path))
      ? await previewConfabExport(path)
      : await previewInWorker(
          parser,
          files.map((f) => resolve(f)),
        );
    console.log(JSON.stringify(preview, null, 2));
    return 0;
  }
  const db = await openAppDb(paths, dataDir);
  const stop = printProgress(db);
  const data = createDataService(db, dataDir, VERSION);
  try {
    switch (command) {
      case 'import': {
        if (files.length === 0) throw new Error('Name the export file(s) to import.');
        const inputs = files.map((f) => resolve(f));
        await data.backup('pre-import');
        if (await isConfabExport(inputs[0]!))
          return printReport(restoreAsImportReport(await data.startRestore(inputs[0]!).result)) ? 0 : 1;
        const preview = await previewInWorker(parser, inputs);
        console.log(
          `${preview.conversations} chats, ${preview.messages} messages (${preview.skipped.length} skipped) from ${preview.source}`,
        );
        // The parser runs in its own worker, as in the app: this thread only relays progress.
        const loop = monitorEventLoopDelay({ resolution: 10 });
        loop.enable();
        const started = performance.now();
        const report = await startImport(db, inputs, { source: preview.source, total: preview.conversations, parser })
          .result;
        loop.disable();
        const seconds = (performance.now() - started) / 1000;
        console.log(
          `Wrote ${report.verification.messagesWritten} messages in ${seconds.toFixed(1)} s (${Math.round(report.verification.messagesRead / seconds)} messages/s read and checked); event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`,
        );
        return printReport(report) ? 0 : 1;
      }
      case 'export': {
        if (values.format === 'md') {
          if (!values.session) throw new Error('--format md exports one chat: pass --session <id>.');
          const session = await db.call('sessions.get', { id: values.session });
          const out = resolve(values.out ?? markdownFileName(session.title));
          writeFileSync(out, chatToMarkdown(session, await readChosenBranch(db, values.session)));
          console.log(`Wrote ${out}`);
          return 0;
        }
        const sessionIds = values.session ? [values.session] : null;
        const result = values.out
          ? await db.startJob('export', {
              path: resolve(values.out),
              sessionIds,
              appVersion: VERSION,
              schemaVersion: db.info.schemaVersion,
              blobsDir: blobsDirOf(dataDir),
            }).result
          : await data.exportConfab(sessionIds);
        console.log(
          `Wrote ${result.path} (${result.bytes} bytes): ${JSON.stringify(result.manifest.rows)} sha256 ${result.manifest.sha256}`,
        );
        return 0;
      }
      case 'backup': {
        const backup = await data.backup('manual');
        console.log(`Backed up to ${dataDir}/backups/${backup.file} (${backup.sizeBytes} bytes)`);
        return 0;
      }
      case 'restore': {
        // --replace is the explicit confirmation: the data becomes what the file holds.
        const report = await data.restore(resolve(files[0] ?? ''), values.replace ? 'replace' : 'merge');
        console.log(JSON.stringify(report, null, 2));
        return report.mismatches.length === 0 ? 0 : 1;
      }
      case 'verify': {
        const report = await db.call('data.verify', undefined);
        console.log(`${report.sessions} chats, ${report.messages} messages`);
        for (const p of report.problems) console.log(`PROBLEM ${p}`);
        return report.problems.length === 0 ? 0 : 1;
      }
      default:
        console.error(
          'Usage: confab import <file...> [--dry-run] | export [--format json|md] [--session ID] [--out F] | backup | restore <file> [--replace] | verify',
        );
        return 2;
    }
  } finally {
    stop();
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
