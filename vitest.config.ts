import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const alias = { '@shared': resolve(import.meta.dirname, 'src/shared') };

export default defineConfig({
  resolve: { alias },
  test: {
    // PGlite is CPU-bound WASM and the machines have two cores: two test files at a time.
    // (Set here, not per project: vitest refuses projects with different worker counts.)
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/main/**/*.test.ts', 'src/shared/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        plugins: [react()],
        test: {
          name: 'dom',
          environment: 'jsdom',
          include: ['src/renderer/**/*.test.{ts,tsx}'],
          // Tests of branching, paging, search and streaming run the real core (a DB worker on a
          // copy of the migrated template, src/renderer/src/test/realCore.ts): jsdom runs in
          // Node, so the worker thread runs here too.
          globalSetup: ['tests/helpers/global-setup.ts'],
          // A dom test renders the whole app in jsdom, CPU-bound; on a loaded machine (load above 10
          // on two cores) that takes several times as long. Tests wait on conditions, so this only
          // bounds a hang; it is not how long a test takes.
          testTimeout: 30_000,
        },
      },
    ],
  },
});
