/**
 * `npm run bench -- --only durability [--messages 20000] [--crash-trials 8] [--crash-messages 2000-6000]
 *  [--data-dir D --no-seed]`:
 * the durability section alone, on a base seeded here (or a seeded dir, copied, never changed),
 * written to bench/durability.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CorePaths } from '../../../src/main/core/core';
import { intOption, resolveDataDir } from '../cli';
import { defaultCorpusOptions } from '../corpus';
import type { MachineInfo } from '../machine';
import { readManifest } from '../manifest';
import { renderTable } from '../report';
import { durabilityRows } from './report';
import { durabilityBench, rangeOption } from './run';

interface OnlyValues {
  only?: string;
  messages?: string;
  seed?: string;
  'crash-trials'?: string;
  'crash-messages'?: string;
  'data-dir'?: string;
  'no-seed'?: boolean;
  quick?: boolean;
  out?: string;
  keep?: boolean;
}

export async function durabilityOnly(
  values: OnlyValues,
  run: { paths: CorePaths; tmpBase: string; root: string; machine: MachineInfo },
): Promise<void> {
  if (values.only !== 'durability')
    throw new Error(`--only knows one section, durability (got ${JSON.stringify(values.only)}).`);
  let baseDir: string | undefined;
  let nowMs: number | undefined;
  if (values['no-seed']) {
    baseDir = resolveDataDir(values['data-dir']);
    const manifest = readManifest(baseDir);
    if (!manifest) throw new Error(`${baseDir} has no seed-manifest.json; seed it with npm run seed first.`);
    nowMs = manifest.corpus.nowMs;
  }
  const corpus = defaultCorpusOptions({ nowMs });
  const messages = intOption(values.messages, 'messages', values.quick ? 5000 : 20_000);
  const trials = intOption(values['crash-trials'], 'crash-trials', values.quick ? 4 : 8);
  console.log(`\n▶ Durability: SIGKILL while a reply streams and bulk writes run, then reopen, ${trials} times`);
  const durability = await durabilityBench(
    {
      paths: run.paths,
      tmpBase: run.tmpBase,
      baseDir,
      messages,
      seed: intOption(values.seed, 'seed', 1),
      nowMs: corpus.nowMs,
      trials,
      killAfterMessages: rangeOption(values['crash-messages'], 'crash-messages'),
    },
    (line) => console.log(line),
  );
  run.machine.loadAverageAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const rows = durabilityRows(durability);
  const out = resolve(values.out ?? join(run.root, 'bench', 'durability.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ machine: run.machine, durability, table: rows }, null, 2)}\n`);
  console.log(`\n${renderTable(rows)}\n\nWrote ${out}`);
  if (!values.keep) rmSync(run.tmpBase, { recursive: true, force: true });
  else console.log(`Kept ${run.tmpBase}`);
}
