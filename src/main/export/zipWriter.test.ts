import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listZipEntries, openZipEntry } from '../import/zip';
import { crc32, writeZip } from './zipWriter';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'confab-zipwriter-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readBack(zip: Buffer): Promise<Map<string, string>> {
  const path = join(dir, `${createHash('sha1').update(zip).digest('hex')}.zip`);
  await writeFile(path, zip);
  const out = new Map<string, string>();
  for (const entry of await listZipEntries(path, 'test.zip')) {
    const chunks: Buffer[] = [];
    for await (const chunk of await openZipEntry(path, entry, 'test.zip')) chunks.push(chunk as Buffer);
    out.set(entry.name, Buffer.concat(chunks).toString('utf8'));
  }
  return out;
}

describe('writeZip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips through the import zip reader, names and text intact', async () => {
    const files = [
      { name: 'Grüße-an-Zoë.md', data: '# Grüße\n\nHallo 👋\n' },
      { name: 'empty.md', data: '' },
      { name: 'long.md', data: 'abc '.repeat(50_000) },
    ];
    const back = await readBack(writeZip(files));
    expect([...back.keys()]).toEqual(files.map((f) => f.name));
    for (const f of files) expect(back.get(f.name)).toBe(f.data);
  });

  it('refuses two entries of the same name', () => {
    expect(() => writeZip([{ name: 'a.md', data: 'x' }, { name: 'a.md', data: 'y' }])).toThrow(/Two zip entries/);
  });

  it('any set of named texts reads back as written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 300 }), { maxKeys: 8 }), async (dict) => {
        const files = Object.entries(dict).map(([name, data]) => ({ name, data }));
        const back = await readBack(writeZip(files));
        expect(Object.fromEntries(back)).toEqual(dict);
      }),
      { numRuns: 30 },
    );
  });
});
