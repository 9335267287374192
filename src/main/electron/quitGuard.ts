/**
 * Leaving Confab with changes not yet sent to the team server (issue 14): closing the window and
 * quitting (Cmd+Q, the menu's Quit) tell the user how many, and let them sync in the background
 * before Confab quits, quit now, or cancel. Nothing is lost by either choice (the changes stay on
 * this device and go out on the next sync); the question is only whether teammates see them now.
 * The question is asked once per intent and the database closed once, last (quitFlow decides).
 */
import { app, BrowserWindow, dialog, type MessageBoxOptions } from 'electron';
import type { SyncStatus } from '@shared/types';
import type { AppRuntime, ServedApi } from '../core/startup';
import { nothingMoreToSend, pendingChangesQuestion } from './pendingQuestion';
import {
  afterAnswer,
  afterSending,
  answerOf,
  quitStep,
  type QuitAnswer,
  type QuitPhase,
  type QuitSource,
} from './quitFlow';

/** Longest background sync before quitting anyway (the changes stay queued on this device). */
const BACKGROUND_SYNC_LIMIT_MS = 60_000;

export interface QuitGuard {
  /** Asks before `win` closes (the app's quit is guarded from the start). */
  watch(win: BrowserWindow): void;
}

/** Guards the app's quit; `closeRuntime` closes the database (a final checkpoint, the lock released). */
export function guardQuit(runtime: () => AppRuntime | null, closeRuntime: () => Promise<void>): QuitGuard {
  let phase: QuitPhase = 'open';
  // Windows whose close was looked at and found nothing waiting: their next close goes through.
  const passing = new WeakSet<BrowserWindow>();

  const closeThenQuit = (): void => {
    phase = 'closing';
    void closeRuntime()
      .catch((err: unknown) =>
        console.error('[quit] closing the database failed:', err instanceof Error ? err.message : err),
      )
      .finally(() => {
        phase = 'closed';
        app.quit();
      });
  };

  const settle = async (via: QuitSource, win: BrowserWindow | null): Promise<void> => {
    phase = 'asking';
    const served = runtime();
    const answer = served ? await ask(win, served).catch(() => 'none' as const) : 'none';
    const next = afterAnswer(answer, via);
    phase = next.phase;
    if (next.then === 'close-window') {
      if (win && !win.isDestroyed()) {
        passing.add(win);
        win.close();
      }
    } else if (next.then === 'quit') {
      app.quit();
    } else if (next.then === 'send-then-quit') {
      for (const w of BrowserWindow.getAllWindows()) w.hide();
      if (served) await syncThenSettle(served);
      phase = afterSending(phase);
      app.quit();
    }
  };

  app.on('before-quit', (event) => {
    if (!runtime()) return;
    const step = quitStep(phase, 'app');
    if (step === 'allow') return;
    event.preventDefault();
    if (step === 'close') closeThenQuit();
    else if (step === 'ask')
      void settle('app', BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? null);
  });

  return {
    watch(win) {
      win.on('close', (event) => {
        if (passing.has(win) || !runtime()) return;
        const step = quitStep(phase, 'window');
        if (step === 'allow') return;
        event.preventDefault();
        if (step === 'ask') void settle('window', win);
      });
    },
  };
}

/** The user's answer, or 'none' when nothing waits or sync cannot say where it stands. */
async function ask(win: BrowserWindow | null, served: ServedApi): Promise<QuitAnswer> {
  let status: SyncStatus;
  try {
    status = await served.handlers['sync.status']({});
  } catch {
    // Leaving must still work.
    return 'none';
  }
  const question = pendingChangesQuestion(status);
  if (!question) return 'none';
  const options: MessageBoxOptions = {
    type: 'question',
    buttons: question.buttons,
    defaultId: 0,
    cancelId: 2,
    message: question.message,
    detail: question.detail,
  };
  // A hidden or missing window (macOS, Cmd+Q with every window closed) gets a free-standing box.
  const { response } =
    win && !win.isDestroyed() && win.isVisible()
      ? await dialog.showMessageBox(win, options)
      : await dialog.showMessageBox(options);
  return answerOf(response);
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
