/**
 * A host's start as the Electron app and the web host do it (startOrRecover on the real DB
 * worker), driven through the same dispatcher the transports use, with a JSON round trip.
 */
import { cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Envelope } from '../../src/shared/client';
import type { MethodName, MethodOutput } from '../../src/shared/contract';
import type { StartupState } from '../../src/shared/startup';
import type { CorePaths } from '../../src/main/core/core';
import { dispatch } from '../../src/main/core/dispatch';
import { startOrRecover, type AppRuntime, type StartupOptions } from '../../src/main/core/startup';
import { DB_WORKER_TS } from './chatCore';
import { MIGRATIONS_DIR } from './engines';

export function testPaths(migrationsDir = MIGRATIONS_DIR): CorePaths {
  // The main bundle and renderer folders are never read by the core itself: no need to make them.
  return {
    mainDir: tmpdir(),
    migrationsDir,
    templateDir: inject('pgliteTemplateDir'),
    workerPath: DB_WORKER_TS,
    rendererDir: tmpdir(),
  };
}

export function startHost(dataDir: string, options: Partial<StartupOptions> = {}): Promise<AppRuntime> {
  return startOrRecover({
    dataDir,
    paths: testPaths(),
    host: 'web',
    version: 'test',
    detectLocalProviders: false,
    retention: false,
    ...options,
  });
}

/** One request as a transport sends it: JSON in, an envelope out. */
export async function call<K extends MethodName>(
  host: AppRuntime,
  method: K,
  input: unknown = {},
): Promise<Envelope<MethodOutput<K>>> {
  const envelope = await dispatch(host.handlers, method, JSON.parse(JSON.stringify(input)));
  return JSON.parse(JSON.stringify(envelope)) as Envelope<MethodOutput<K>>;
}

/** The value of a call that must succeed. */
export async function value<K extends MethodName>(
  host: AppRuntime,
  method: K,
  input: unknown = {},
): Promise<MethodOutput<K>> {
  const envelope = await call(host, method, input);
  if (!envelope.ok) throw new Error(`${method} failed: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value;
}

export type RecoveryState = Extract<StartupState, { state: 'recovery' }>;

export async function recoveryState(host: AppRuntime): Promise<RecoveryState> {
  const state = await value(host, 'app.startup');
  if (state.state !== 'recovery') throw new Error('expected the recovery state, the database opened');
  return state;
}

/** A data dir `<parent>/data` holding a copy of the migrated template, as after a first run. */
export function dataDirWithDatabase(parent: string): string {
  const dataDir = join(parent, 'data');
  mkdirSync(dataDir, { recursive: true });
  cpSync(inject('pgliteTemplateDir'), join(dataDir, 'pgdata'), { recursive: true });
  return dataDir;
}
