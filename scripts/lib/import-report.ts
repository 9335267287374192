/** The import section's rows in the bench table. */
import { fmtInt, fmtMs } from './cli';
import { IMPORT_TARGETS, type ImportBenchResults } from './import-bench';
import type { Row } from './report';

export function importRows(r: ImportBenchResults | null | undefined): Row[] {
  if (!r) return [];
  const ratio = r.native ? r.pglite.messagesPerSecond / r.native.messagesPerSecond : null;
  const rows: Row[] = [
    {
      measure: `import ${fmtInt(r.file.messages)} messages (ChatGPT file, ${fmtInt(r.file.bytes / 2 ** 20)} MB), msg/s; native: the same rows, ${r.native?.method ?? 'not run'}`,
      pglite: fmtInt(r.pglite.messagesPerSecond),
      native: r.native ? fmtInt(r.native.messagesPerSecond) : '',
      ratio: ratio === null ? '' : `${ratio.toFixed(2)}×`,
      target: `≥ ${IMPORT_TARGETS.vsNative}× native`,
      pass: ratio === null ? null : ratio >= IMPORT_TARGETS.vsNative,
    },
    {
      measure: '  main-thread event-loop delay during the import, p99 / max',
      pglite: `${fmtMs(r.pglite.loop.p99Ms)} / ${fmtMs(r.pglite.loop.maxMs)} ms`,
      native: '',
      ratio: '',
      target: `p99 ≤ ${IMPORT_TARGETS.loopP99Ms} ms`,
      pass: r.pglite.loop.p99Ms <= IMPORT_TARGETS.loopP99Ms,
    },
    {
      measure: "  the same, this thread idle for 3 s just before (what the machine's load alone costs)",
      pglite: `${fmtMs(r.idleLoop.p99Ms)} / ${fmtMs(r.idleLoop.maxMs)} ms`,
      native: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measure: '  process RSS before → peak (main, DB worker and parse worker together)',
      pglite: `${fmtInt(r.pglite.rssBeforeMb)} → ${fmtInt(r.pglite.rssPeakMb)} MB`,
      native: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measure: '  search indexing after the import (deferred, a background job): seconds until caught up, messages',
      pglite: r.pglite.indexCatchUp
        ? `${r.pglite.indexCatchUp.seconds.toFixed(1)} s, ${fmtInt(r.pglite.indexCatchUp.indexed)}`
        : 'failed',
      native: '',
      ratio: '',
      target: '',
      pass: r.pglite.indexCatchUp ? null : false,
    },
    {
      measure: '  the same file imported again: seconds, rows added',
      pglite: `${r.pglite.secondImportSeconds.toFixed(1)} s, ${r.pglite.secondImportAdded}`,
      native: '',
      ratio: '',
      target: '0 added',
      pass: r.pglite.secondImportAdded === 0,
    },
  ];
  if (r.parse500) {
    rows.push(
      {
        measure: `parse only (dry run in the parse worker), ${fmtInt(r.parse500.fileMb)} MB file: main-thread p99 / max`,
        pglite: `${fmtMs(r.parse500.loop.p99Ms)} / ${fmtMs(r.parse500.loop.maxMs)} ms`,
        native: '',
        ratio: '',
        target: `p99 ≤ ${IMPORT_TARGETS.loopP99Ms} ms`,
        pass: r.parse500.loop.p99Ms <= IMPORT_TARGETS.loopP99Ms,
      },
      {
        measure: '  its RSS before → peak, and msg/s',
        pglite: `${fmtInt(r.parse500.rssBeforeMb)} → ${fmtInt(r.parse500.rssPeakMb)} MB, ${fmtInt(r.parse500.messagesPerSecond)} msg/s`,
        native: '',
        ratio: '',
        target: 'bounded (parser heap capped at 512 MB)',
        pass: null,
      },
    );
  }
  return rows;
}
