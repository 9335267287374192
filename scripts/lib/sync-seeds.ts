/**
 * `npm run bench -- --sync-seeds N [--seed S]`: the sync convergence property
 * (tests/sync/convergence.test.ts) with N fast-check runs instead of CI's fixed 200, from a random
 * first seed unless --seed is given. It runs the real test through vitest (its global setup makes
 * the PGlite template and the PostgreSQL server); a failure prints the seed and the operations
 * to keep as a regression case in that file.
 */
import { spawnSync } from 'node:child_process';

export function runSyncSeeds(root: string, seeds: number, seed?: number): number {
  const first = seed ?? Math.floor(Math.random() * 2 ** 31);
  console.log(`Sync convergence: ${seeds} runs from seed ${first} (PGlite devices against a real PostgreSQL)`);
  const started = Date.now();
  const result = spawnSync('npx', ['vitest', 'run', 'tests/sync/convergence.test.ts'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SYNC_SEEDS: String(seeds), SYNC_SEED: String(first) },
  });
  console.log(
    `Sync convergence: ${seeds} runs in ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${result.status}`,
  );
  return result.status ?? 1;
}
