/**
 * Leaving Confab with changes not yet sent to the team server (issue 14) asks one question,
 * whether the user closes the window or quits (Cmd+Q, the menu's Quit, app.quit()), and the
 * database is closed once, last. Electron reaches the guard twice for one intent: a quit emits
 * before-quit and then closes every window, and closing the last window (outside macOS) quits.
 * What the guard does at each of those events depends only on where leaving stands, so it is
 * decided here, apart from Electron, where every path can be checked without a window.
 */

/**
 * open: nothing decided. asking: the question is on screen. sending: the user chose to sync in
 * the background, windows hidden; the app quits when that settles. leaving: decided to quit,
 * the database not closed yet. closing: the database is closing. closed: everything may go.
 */
export type QuitPhase = 'open' | 'asking' | 'sending' | 'leaving' | 'closing' | 'closed';

/** A window's 'close' event, or the app's 'before-quit'. */
export type QuitSource = 'window' | 'app';

/**
 * allow: the event goes on. hold: it is stopped and nothing more happens (what is under way, the
 * question or the sync or the close, ends it). ask: it is stopped and the question put. close: it
 * is stopped, the database closed, and the quit made again.
 */
export type QuitStep = 'allow' | 'hold' | 'ask' | 'close';

export function quitStep(phase: QuitPhase, via: QuitSource): QuitStep {
  switch (phase) {
    case 'open':
      return 'ask';
    // A quit while the close question is open (or the other way round) is answered by it.
    case 'asking':
      return 'hold';
    // Quitting again while the changes go out in the background means now: they stay queued.
    case 'sending':
      return via === 'app' ? 'close' : 'hold';
    case 'leaving':
      return via === 'app' ? 'close' : 'allow';
    case 'closing':
      return via === 'app' ? 'hold' : 'allow';
    case 'closed':
      return 'allow';
  }
}

/** What the user chose; 'none' when nothing waits (or sync could not say where it stands). */
export type QuitAnswer = 'none' | 'background' | 'quit' | 'cancel';

/** The dialog's buttons, in pendingChangesQuestion's order; Escape and closing it are Cancel. */
export function answerOf(response: number): QuitAnswer {
  if (response === 0) return 'background';
  if (response === 1) return 'quit';
  return 'cancel';
}

export interface AfterAnswer {
  phase: QuitPhase;
  then: 'stay' | 'close-window' | 'quit' | 'send-then-quit';
}

export function afterAnswer(answer: QuitAnswer, via: QuitSource): AfterAnswer {
  switch (answer) {
    case 'cancel':
      return { phase: 'open', then: 'stay' };
    // Nothing waits: closing a window is only that (macOS keeps the app running; elsewhere the
    // last window's close quits, and that quit finds nothing to ask either).
    case 'none':
      return via === 'window' ? { phase: 'open', then: 'close-window' } : { phase: 'leaving', then: 'quit' };
    case 'quit':
      return { phase: 'leaving', then: 'quit' };
    case 'background':
      return { phase: 'sending', then: 'send-then-quit' };
  }
}

/** The background sync settled: quit, unless a second quit already took over. */
export function afterSending(phase: QuitPhase): QuitPhase {
  return phase === 'sending' ? 'leaving' : phase;
}
