/**
 * `npm run web`: Confab in a browser, for headless or remote boxes and for the e2e tests.
 * Prints the URL with this start's token; only that URL opens the app.
 */
import { builtPaths, startCore } from './core/core';
import { defaultDataDir, resolveDataDir } from './core/dataDir';
import { APP_VERSION } from './core/version';
import { startWebHost } from './web/server';
import { keyFileCipher } from './secrets/keyFileCipher';
import { ConfabError } from '@shared/errors';

async function main(): Promise<void> {
  const paths = builtPaths(import.meta.dirname);
  const dataDir = resolveDataDir(defaultDataDir());
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  // No OS keychain is assumed here (headless boxes): keys are sealed with a 0600 key file.
  const core = await startCore({ dataDir, paths, host: 'web', version: APP_VERSION, cipher: keyFileCipher(dataDir) });
  const host = await startWebHost(core, { port, rendererDir: paths.rendererDir });
  console.log(`Confab web host (data: ${dataDir})`);
  console.log(`Open: ${host.url}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfabError ? `Confab cannot start: ${err.message}` : err);
  process.exit(1);
});
