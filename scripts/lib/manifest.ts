/**
 * What a seeded data dir was made from. `bench --no-seed` reads it to regenerate the same rows
 * for native PostgreSQL and to find the big session.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusOptions } from './corpus';

export interface SeedManifest {
  corpus: CorpusOptions;
  bigSessionId: string;
  batchSize: number;
  seededAt: string;
  /** Runs added beyond the chats' own (see usage-corpus.ts); absent in older manifests. */
  extraRuns?: number;
}

const FILE = 'seed-manifest.json';

export function writeManifest(dataDir: string, manifest: SeedManifest): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifest(dataDir: string): SeedManifest | null {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as SeedManifest;
}
