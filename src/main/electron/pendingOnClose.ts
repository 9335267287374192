/**
 * Closing the window with changes not yet sent to the team server (issue 14): the user is told
 * how many, and chooses to let them sync in the background before Confab quits, or to quit now
 * (they stay on this device and go out on the next sync either way). Nothing is ever lost by
 * either choice; the question is only whether teammates see the changes now.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import type { SyncStatus } from '@shared/types';
import type { ServedApi } from '../core/startup';
import { nothingMoreToSend, pendingChangesQuestion } from './pendingQuestion';

/** Longest background sync before quitting anyway (the changes stay queued on this device). */
const BACKGROUND_SYNC_LIMIT_MS = 60_000;

const SYNC_IN_BACKGROUND = 0;
const QUIT_NOW = 1;

export function askAboutPendingChangesOnClose(win: BrowserWindow, api: () => ServedApi | null): void {
  let allowed = false;
  win.on('close', (event) => {
    const served = api();
    if (allowed || !served) return;
    event.preventDefault();
    void decide(win, served).then(
      async (choice) => {
        if (choice === 'cancel') return;
        allowed = true;
        if (choice === 'close') {
          win.close();
          return;
        }
        win.hide();
        await syncThenSettle(served);
        app.quit();
      },
      () => {
        // Sync could not even say where it stands: closing must still work.
        allowed = true;
        win.close();
      },
    );
  });
}

async function decide(win: BrowserWindow, served: ServedApi): Promise<'close' | 'cancel' | 'background'> {
  const question = pendingChangesQuestion(await served.handlers['sync.status']({}));
  if (!question) return 'close';
  const { response } = await dialog.showMessageBox(win, {
    type: 'question',
    buttons: question.buttons,
    defaultId: SYNC_IN_BACKGROUND,
    cancelId: 2,
    message: question.message,
    detail: question.detail,
  });
  if (response === QUIT_NOW) return 'close';
  return response === SYNC_IN_BACKGROUND ? 'background' : 'cancel';
}

/** Runs a round and resolves when nothing more will go out now (or after the limit). */
function syncThenSettle(served: ServedApi): Promise<void> {
  return new Promise((resolve) => {
    let off: (() => void) | null = null;
    const done = () => {
      clearTimeout(limit);
      off?.();
      resolve();
    };
    const limit = setTimeout(done, BACKGROUND_SYNC_LIMIT_MS);
    off = served.events.subscribe((name, payload) => {
      if (name === 'sync.status' && nothingMoreToSend(payload as SyncStatus)) done();
    });
    served.handlers['sync.now']({}).then(
      (status) => {
        if (nothingMoreToSend(status)) done();
      },
      () => done(),
    );
  });
}
