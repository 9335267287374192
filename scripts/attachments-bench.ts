/**
 * Attaching a large PDF, measured: a PDF of about `--mb` megabytes (default 50) with text on
 * every page is made here, sent through the real handlers in 1 MB chunks (as the renderer does),
 * stored, typed, hashed and read to text in the extraction worker. Prints the time from the first
 * chunk to "ready" and the process's peak resident memory (main thread, DB worker and extraction
 * worker are threads of one process, so RSS covers them all).
 *
 *   npx electron-vite build && npx tsx scripts/attachments-bench.ts [--mb 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtPaths, startCore } from '../src/main/core/core';
import { makePdf } from '../tests/helpers/files';

const mbArg = process.argv.indexOf('--mb');
const targetMb = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 50;
const WORDS = 'the heron census counted nests along the river bank while rain fell on the reeds'.split(' ');

function pdfOfSize(bytes: number): Buffer {
  const line = (n: number) => Array.from({ length: 14 }, (_, i) => WORDS[(n * 7 + i) % WORDS.length]).join(' ');
  const page = (p: number) => Array.from({ length: 52 }, (_, l) => `${p}.${l} ${line(p + l)}`);
  // About 5 KB a page.
  const pages = Array.from({ length: Math.ceil(bytes / 5_050) }, (_, p) => page(p));
  return makePdf(pages);
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(0);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-attach-bench-'));
  const paths = builtPaths(resolve(import.meta.dirname, '../out/main'));
  const core = await startCore({
    dataDir,
    paths,
    host: 'web',
    version: 'bench',
    detectLocalProviders: false,
    retention: false,
  });
  try {
    const session = await core.handlers['sessions.create']({ title: 'Bench' });
    const pdf = pdfOfSize(targetMb * 1024 * 1024);
    if (global.gc) global.gc();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const started = performance.now();
    const begun = await core.handlers['attachments.uploadBegin']({
      sessionId: session.id,
      fileName: 'big.pdf',
      sizeBytes: pdf.length,
    });
    for (let offset = 0; offset < pdf.length; offset += begun.chunkBytes) {
      const data = pdf.subarray(offset, offset + begun.chunkBytes).toString('base64');
      await core.handlers['attachments.uploadChunk']({ uploadId: begun.uploadId, offset, data });
    }
    const uploaded = performance.now();
    const attachment = await core.handlers['attachments.uploadFinish']({ uploadId: begun.uploadId });
    const ready = performance.now();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(
      JSON.stringify(
        {
          fileMB: Number(mb(pdf.length)),
          status: attachment.status,
          textChars: attachment.textChars,
          uploadMs: Math.round(uploaded - started),
          readMs: Math.round(ready - uploaded),
          timeToReadyMs: Math.round(ready - started),
          rssBaselineMB: Number(mb(baseline)),
          rssPeakMB: Number(mb(peak)),
          rssPeakAboveBaselineMB: Number(mb(peak - baseline)),
          pdfBufferHeldByScriptMB: Number(mb(pdf.length)),
        },
        null,
        2,
      ),
    );
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
