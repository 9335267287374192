// Runs the TypeScript import parse worker without a build, for tests (see db-worker-ts.mjs).
import { register } from 'tsx/esm/api';

register();
await import('../../src/main/import/parseWorker.ts');
