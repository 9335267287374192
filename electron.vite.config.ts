import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import pkg from './package.json' with { type: 'json' };

const shared = resolve(import.meta.dirname, 'src/shared');

export default defineConfig({
  main: {
    resolve: { alias: { '@shared': shared } },
    define: { __CONFAB_VERSION__: JSON.stringify(pkg.version) },
    build: {
      rollupOptions: {
        input: {
          // Electron host, web host, the DB worker and the CLI tools share one build so they
          // always run the same core.
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          web: resolve(import.meta.dirname, 'src/main/web.ts'),
          'db-worker': resolve(import.meta.dirname, 'src/main/db/worker.ts'),
          'attachments-worker': resolve(import.meta.dirname, 'src/main/attachments/extractWorker.ts'),
          'import-worker': resolve(import.meta.dirname, 'src/main/import/parseWorker.ts'),
          seed: resolve(import.meta.dirname, 'scripts/seed.ts'),
          bench: resolve(import.meta.dirname, 'scripts/bench.ts'),
          confab: resolve(import.meta.dirname, 'scripts/confab.ts'),
        },
        // The bench drives Chromium; playwright-core (a dev dependency, so not externalized by
        // default) reads its own package files at run time and cannot be bundled.
        external: ['playwright-core'],
      },
    },
  },
  preload: {
    resolve: { alias: { '@shared': shared } },
    build: {
      // A sandboxed preload cannot require node_modules, so everything it uses is bundled.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    resolve: { alias: { '@shared': shared } },
    plugins: [react()],
    build: {
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});
