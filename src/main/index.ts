/**
 * The Electron host: one window per app instance, single-instance lock, the DB core in a worker,
 * and the contract's methods wired to IPC with sender checks. Platform choices (data dir,
 * secret storage, dialogs) are made here, never by `isElectron` checks elsewhere. A database
 * that cannot be opened opens the window on the recovery screen.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, screen, shell, type WebContents } from 'electron';
import { channelFor, EVENT_CHANNEL, METHOD_NAMES } from '@shared/contract';
import { builtPaths } from './core/core';
import { resolveDataDir } from './core/dataDir';
import { dispatch } from './core/dispatch';
import { startOrRecover, type AppRuntime } from './core/startup';
import { APP_VERSION } from './core/version';
import { installAppMenu } from './electron/menu';
import { hasStrongSafeStorage, safeStorageCipher } from './electron/safeStorageCipher';
import { keyFileCipher } from './secrets/keyFileCipher';
import { hardenWebContents, isTrustedSender } from './electron/security';
import { loadWindowState, trackWindowState } from './electron/windowState';
import { electronSaveTextFile } from './electron/saveDialog';
import { guardQuit, type QuitGuard } from './electron/quitGuard';
import { syncOnResume } from './electron/powerResume';

const paths = builtPaths(import.meta.dirname);
const dataDir = resolveDataDir(app.getPath('userData'));
app.setPath('userData', dataDir);

const rendererUrl =
  process.env.ELECTRON_RENDERER_URL && !app.isPackaged
    ? process.env.ELECTRON_RENDERER_URL
    : pathToFileURL(join(paths.rendererDir, 'index.html')).toString();

const windows = new Set<WebContents>();
let mainWindow: BrowserWindow | null = null;
let runtime: AppRuntime | null = null;
let quitGuard: QuitGuard | null = null;

function createWindow(): BrowserWindow {
  const state = loadWindowState(
    dataDir,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(state.centered ? { width: state.bounds.width, height: state.bounds.height } : state.bounds),
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Confab',
    backgroundColor: '#1e1f22',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
    },
  });
  if (state.maximized) win.maximize();
  trackWindowState(win, dataDir);
  quitGuard?.watch(win);
  const contents = win.webContents;
  windows.add(contents);
  win.on('closed', () => {
    windows.delete(contents);
    if (mainWindow === win) mainWindow = null;
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(rendererUrl);
  return win;
}

/** shell.openPath answers with an error text instead of rejecting. */
async function openFolder(path: string): Promise<void> {
  const error = await shell.openPath(path);
  if (error) throw new Error(error);
}

function wireIpc(active: AppRuntime): void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(channelFor(method), (event, input: unknown) => {
      if (!isTrustedSender(event, rendererUrl, windows)) {
        return { ok: false, error: { code: 'forbidden', message: 'This window may not use Confab.' } };
      }
      return dispatch(active.handlers, method, input);
    });
  }
  active.events.subscribe((name, payload) => {
    for (const contents of windows) if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, name, payload);
  });
}

async function start(): Promise<void> {
  installAppMenu();
  hardenWebContents(rendererUrl);
  try {
    // A database that cannot be opened is not an error here: the runtime starts in recovery and
    // the window shows the recovery screen.
    runtime = await startOrRecover({
      dataDir,
      paths,
      host: 'electron',
      version: APP_VERSION,
      cipher: hasStrongSafeStorage() ? safeStorageCipher() : keyFileCipher(dataDir),
      saveTextFile: electronSaveTextFile(() => mainWindow),
      openFolder,
      // Headless and test use: a team server to sync with from the start (stored like sync.connect's).
      sync: process.env.CONFAB_SYNC_URL ? { url: process.env.CONFAB_SYNC_URL } : undefined,
    });
  } catch (err) {
    // Not the database (that is the recovery screen's job): something no window can show.
    dialog.showErrorBox('Confab cannot start', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return;
  }
  wireIpc(runtime);
  syncOnResume(() => runtime);
  mainWindow = createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (runtime && BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
  // Quitting asks about unsent changes as closing the window does, then closes the database
  // cleanly (final checkpoint, lock released) before the process exits.
  quitGuard = guardQuit(
    () => runtime,
    async () => {
      try {
        await runtime?.close();
      } finally {
        runtime = null;
      }
    },
  );
  void app.whenReady().then(start);
}
