/**
 * How long a second Confab takes to be told that the data folder is in use: the built web host
 * started on a dir this process holds open, timed from spawn to the line that names the other
 * Confab. The lock is checked before the DB worker starts, so this is Node's start plus a file read.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CorePaths } from '../../src/main/core/core';
import { median } from './stats';

export interface SecondInstanceTiming {
  samplesMs: number[];
  medianMs: number;
}

const REFUSAL = /Another Confab \(process \d+\) is using this data folder/;

function timeOneRefusal(webEntry: string, dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [webEntry], {
    env: { ...process.env, CONFAB_DATA_DIR: dataDir, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => finish(new Error(`no refusal within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (REFUSAL.test(output)) finish(performance.now() - started);
    };
    const finish = (result: number | Error) => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (typeof result === 'number') resolve(result);
      else reject(result);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => finish(err));
  });
}

/** `dataDir` must be open in this process (a running core) for the whole measure. */
export async function secondInstanceRefusal(
  paths: CorePaths,
  dataDir: string,
  runs: number,
): Promise<SecondInstanceTiming> {
  const webEntry = join(paths.mainDir, 'web.js');
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) samplesMs.push(await timeOneRefusal(webEntry, dataDir));
  return { samplesMs, medianMs: median(samplesMs) };
}
