// Runs the TypeScript DB worker without a build, for tests and scripts run through tsx.
// Node 20 does not carry --import loaders into worker threads reliably, so register here.
import { register } from 'tsx/esm/api';

register();
await import('../../src/main/db/worker.ts');
