/**
 * `npm run web`: Confab in a browser, for headless or remote boxes and for the e2e tests.
 * Prints the URL with this start's token; only that URL opens the app. A database that cannot be
 * opened does not end the host: the page shows the recovery screen instead.
 */
import { builtPaths } from './core/core';
import { defaultDataDir, resolveDataDir } from './core/dataDir';
import { startOrRecover } from './core/startup';
import { APP_VERSION } from './core/version';
import { startWebHost } from './web/server';
import { keyFileCipher } from './secrets/keyFileCipher';

async function main(): Promise<void> {
  const paths = builtPaths(import.meta.dirname);
  const dataDir = resolveDataDir(defaultDataDir());
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  // No OS keychain is assumed here (headless boxes): keys are sealed with a 0600 key file.
  const runtime = await startOrRecover({
    dataDir,
    paths,
    host: 'web',
    version: APP_VERSION,
    cipher: keyFileCipher(dataDir),
    // Headless and test use: a team server to sync with from the start (stored like sync.connect's).
    sync: process.env.CONFAB_SYNC_URL ? { url: process.env.CONFAB_SYNC_URL } : undefined,
  });
  const host = await startWebHost(runtime, { port, rendererDir: paths.rendererDir });
  console.log(`Confab web host (data: ${dataDir})`);
  const startup = runtime.state();
  if (startup.state === 'recovery') {
    const { message, detail } = startup.problem;
    console.log(`Confab cannot open its database: ${message}`);
    if (detail) console.log(`  Details: ${detail}`);
    console.log('The page below says what you can do about it.');
  }
  runtime.onRecovered((core) => {
    const aside = core.db.info.setAside;
    console.log(`The database is open${aside ? `; the previous one was kept in ${aside}` : ''}.`);
  });
  console.log(`Open: ${host.url}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
