/**
 * Type detection from bytes and reading files: real PNG, GIF, JPEG, PDF and DOCX files made in the
 * test, read in the real extraction worker thread.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE } from '@shared/attachments';
import { ConfabError } from '@shared/errors';
import { DB_WORKER_TS } from '../../../tests/helpers/chatCore';
import { makeDocx, makeGif, makeJpeg, makePdf, makePng, makeZip } from '../../../tests/helpers/files';
import { detectMediaType } from './detect';
import { Extractor, extractWorkerBeside } from './extractor';
import { imageSize } from './imageSize';

const dir = mkdtempSync(join(tmpdir(), 'confab-extract-'));
const extractor = new Extractor(extractWorkerBeside(DB_WORKER_TS), { timeoutMs: 60_000 });

afterAll(async () => {
  await extractor.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('the type of a file, from its bytes', () => {
  it('knows images, PDF and DOCX whatever they are called', async () => {
    expect(await detectMediaType(file('a.txt', makePng(3, 2)), 'notes.txt')).toBe('image/png');
    expect(await detectMediaType(file('b.bin', makeJpeg(40, 30)), 'b.bin')).toBe('image/jpeg');
    expect(await detectMediaType(file('c', makeGif(5, 6)), 'c.png')).toBe('image/gif');
    expect(await detectMediaType(file('d.md', makePdf([['Hello']])), 'd.md')).toBe(PDF_MEDIA_TYPE);
    expect(await detectMediaType(file('e.zip', makeDocx(['Hi'])), 'e.zip')).toBe(DOCX_MEDIA_TYPE);
  });

  it('labels text by its name only once the bytes are text', async () => {
    expect(await detectMediaType(file('t1', '# Title\n'), 'readme.md')).toBe('text/markdown');
    expect(await detectMediaType(file('t2', 'a,b\n1,2\n'), 'data.csv')).toBe('text/csv');
    expect(await detectMediaType(file('t3', '{"a":1}'), 'x.json')).toBe('application/json');
    expect(await detectMediaType(file('t4', 'fn main() {}'), 'main.rs')).toBe('text/x-code');
    expect(await detectMediaType(file('t5', 'héllo wörld'), 'hello')).toBe('text/plain');
    // SVG and HTML are found by their content, even under an innocent name.
    expect(
      await detectMediaType(
        file('t6', '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        'logo.txt',
      ),
    ).toBe('image/svg+xml');
    expect(await detectMediaType(file('t7', '<!DOCTYPE html><html><script>alert(1)</script></html>'), 'page.txt')).toBe(
      'text/html',
    );
  });

  it('refuses what it cannot attach with a sentence, whatever the name says', async () => {
    const zip = makeZip([{ name: 'x.txt', data: Buffer.from('x') }]);
    const err = await detectMediaType(file('z.png', zip), 'photo.png').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfabError);
    expect((err as ConfabError).message).toMatch(
      /^Confab can attach images \(PNG, JPEG, WebP, GIF\).*this file is a \.zip file\. Nothing was attached\.$/,
    );
    const binary = Buffer.from([1, 2, 0, 4, 5, 0, 7]);
    await expect(detectMediaType(file('bin.txt', binary), 'bin.txt')).rejects.toThrow(/this file is not one of them/);
  });
});

describe('image sizes from the header', () => {
  it('reads PNG, GIF and JPEG sizes and gives none for a cut header', () => {
    expect(imageSize(makePng(640, 480), 'image/png')).toEqual({ width: 640, height: 480 });
    expect(imageSize(makeGif(17, 9), 'image/gif')).toEqual({ width: 17, height: 9 });
    expect(imageSize(makeJpeg(1920, 1080), 'image/jpeg')).toEqual({ width: 1920, height: 1080 });
    expect(imageSize(makePng(10, 10).subarray(0, 12), 'image/png')).toBeNull();
  });
});

describe('reading files in the extraction worker', () => {
  it('reads the text of a real PDF, page by page', async () => {
    const pdf = file('doc.pdf', makePdf([['Quarterly report', 'Revenue grew (a lot)'], ['Second page: zebra']]));
    const read = await extractor.extract({ path: pdf, mediaType: PDF_MEDIA_TYPE });
    expect(read.text).toContain('Quarterly report');
    expect(read.text).toContain('Revenue grew (a lot)');
    expect(read.text).toContain('Second page: zebra');
    expect(read.text!.indexOf('Quarterly')).toBeLessThan(read.text!.indexOf('zebra'));
  });

  it('stops reading a PDF once its text is past the limit', async () => {
    const pages = Array.from({ length: 30 }, (_, i) => [`Page ${i + 1} says ${'words '.repeat(20)}`]);
    const read = await extractor.extract({
      path: file('many.pdf', makePdf(pages)),
      mediaType: PDF_MEDIA_TYPE,
      maxChars: 300,
    });
    expect(read.truncated).toBe(true);
    expect(read.text).toHaveLength(300);
    expect(read.text).toContain('Page 1 says');
    expect(read.text).not.toContain('Page 30 says');
  });

  it('reads the text of a real DOCX', async () => {
    const docx = file('doc.docx', makeDocx(['First paragraph', 'Tom & Jerry <3']));
    const read = await extractor.extract({ path: docx, mediaType: DOCX_MEDIA_TYPE });
    expect(read.text).toContain('First paragraph');
    expect(read.text).toContain('Tom & Jerry <3');
  });

  it('reads image sizes and text files, cutting text at the limit it is given', async () => {
    expect(await extractor.extract({ path: file('i.png', makePng(33, 21)), mediaType: 'image/png' })).toMatchObject({
      width: 33,
      height: 21,
      text: null,
    });
    const long = await extractor.extract({
      path: file('l.txt', 'abcdef'.repeat(1000)),
      mediaType: 'text/plain',
      maxChars: 100,
    });
    expect(long).toMatchObject({ text: 'abcdef'.repeat(17).slice(0, 100), truncated: true });
  });

  it('fails a damaged file with a reason and keeps serving the next one', async () => {
    const broken = file('broken.pdf', Buffer.from('%PDF-1.4\nthis is not really a pdf'));
    await expect(extractor.extract({ path: broken, mediaType: PDF_MEDIA_TYPE })).rejects.toThrow();
    const ok = await extractor.extract({ path: file('ok.txt', 'still here'), mediaType: 'text/plain' });
    expect(ok.text).toBe('still here');
  });

  it('ends a read that takes too long and starts a fresh worker for the next', async () => {
    const slow = new Extractor(extractWorkerBeside(DB_WORKER_TS), { timeoutMs: 1 });
    try {
      await expect(slow.extract({ path: file('s.txt', 'x'), mediaType: 'text/plain' })).rejects.toThrow(
        /took too long/,
      );
    } finally {
      await slow.close();
    }
  });
});
