/**
 * Attachments' bytes through export and restore, measured: a text file of `--mb` megabytes
 * (default 200, the largest a file may be) is written to disk piece by piece, uploaded through the
 * real handlers, then a Confab export carries it and a restore into a fresh data folder puts it
 * back. Prints the time of each step and the process's peak resident memory above its baseline
 * (main thread, DB worker and extraction worker are threads of one process, so RSS covers them
 * all): a figure near the file's size would mean it was held whole somewhere.
 *
 *   npx electron-vite build && npx tsx scripts/blobs-bench.ts [--mb 200]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtPaths, startCore, type Core } from '../src/main/core/core';

const mbArg = process.argv.indexOf('--mb');
const targetMb = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 200;
const MB = 1024 * 1024;
const mb = (n: number) => Math.round(n / MB);

/** A file of `bytes` of hex text, written 1 MB at a time (the script never holds it whole). */
async function writeTextFile(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (let at = 0; at < bytes; at += MB) {
      await file.write(
        Buffer.from(
          randomBytes(MB / 2)
            .toString('hex')
            .slice(0, Math.min(MB, bytes - at)),
        ),
      );
    }
  } finally {
    await file.close();
  }
}

/** Runs `step` while sampling RSS every 20 ms; its time and peak above the RSS before it. */
async function measured<T>(step: () => Promise<T>): Promise<{ value: T; ms: number; rssPeakAboveMB: number }> {
  if (global.gc) global.gc();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  try {
    const value = await step();
    return {
      value,
      ms: Math.round(performance.now() - started),
      rssPeakAboveMB: mb(Math.max(peak, process.memoryUsage().rss) - baseline),
    };
  } finally {
    clearInterval(sampler);
  }
}

async function core(dataDir: string): Promise<Core> {
  return startCore({
    dataDir,
    paths: builtPaths(resolve(import.meta.dirname, '../out/main')),
    host: 'web',
    version: 'bench',
    detectLocalProviders: false,
    retention: false,
  });
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'confab-blobs-bench-'));
  const source = await core(join(scratch, 'source'));
  let target: Core | null = null;
  try {
    const filePath = join(scratch, 'big.txt');
    const size = targetMb * MB;
    await writeTextFile(filePath, size);
    const session = await source.handlers['sessions.create']({ title: 'Bench' });
    const upload = await measured(async () => {
      const begun = await source.handlers['attachments.uploadBegin']({
        sessionId: session.id,
        fileName: 'big.txt',
        sizeBytes: size,
      });
      const file = await open(filePath, 'r');
      try {
        for (let offset = 0; offset < size; offset += begun.chunkBytes) {
          const piece = Buffer.alloc(Math.min(begun.chunkBytes, size - offset));
          await file.read(piece, 0, piece.length, offset);
          await source.handlers['attachments.uploadChunk']({
            uploadId: begun.uploadId,
            offset,
            data: piece.toString('base64'),
          });
        }
      } finally {
        await file.close();
      }
      return source.handlers['attachments.uploadFinish']({ uploadId: begun.uploadId });
    });
    const exported = await measured(() => source.handlers['export.confab']({}));
    target = await core(join(scratch, 'target'));
    const restored = await measured(
      () =>
        target!.db.startJob('restore', {
          path: exported.value.path,
          schemaVersion: target!.db.info.schemaVersion,
          blobsDir: join(scratch, 'target', 'blobs'),
        }).result,
    );
    console.log(
      JSON.stringify(
        {
          fileMB: targetMb,
          uploadMs: upload.ms,
          uploadRssPeakAboveMB: upload.rssPeakAboveMB,
          exportMs: exported.ms,
          exportFileMB: mb(exported.value.bytes),
          exportRssPeakAboveMB: exported.rssPeakAboveMB,
          restoreMs: restored.ms,
          restoreRssPeakAboveMB: restored.rssPeakAboveMB,
          blobs: restored.value.blobs,
        },
        null,
        2,
      ),
    );
  } finally {
    await source.close();
    await target?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
