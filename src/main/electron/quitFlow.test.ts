import { describe, expect, it } from 'vitest';
import {
  afterAnswer,
  afterSending,
  answerOf,
  quitStep,
  type QuitAnswer,
  type QuitPhase,
  type QuitSource,
} from './quitFlow';

/**
 * Plays Electron's events through the decisions as the guard does: each event's step, the
 * question's answer, and the quit made again after it. Returns what happened, in order.
 */
function play(first: QuitSource, answer: QuitAnswer, platform: 'darwin' | 'other' = 'other'): string[] {
  let phase: QuitPhase = 'open';
  let databaseOpen = true;
  const log: string[] = [];
  const emit = (via: QuitSource): void => {
    const step = quitStep(phase, via);
    log.push(`${via}:${step}`);
    if (step === 'allow') {
      if (via === 'app')
        emit('window'); // a quit that goes on closes the windows
      else if (platform === 'other' && phase !== 'closed' && phase !== 'closing') emit('app'); // the last window quits
      return;
    }
    if (step === 'close') {
      phase = 'closing';
      databaseOpen = false;
      log.push('database closed');
      phase = 'closed';
      emit('app');
      return;
    }
    if (step === 'ask') {
      phase = 'asking';
      // Only the first event meets pending changes; later looks find nothing waiting.
      const given = via === first && !log.some((l) => l.startsWith('asked')) ? answer : 'none';
      log.push(given === 'none' ? 'looked' : `asked:${given}`);
      const next = afterAnswer(given, via);
      phase = next.phase;
      if (next.then === 'close-window') emitPassing();
      if (next.then === 'quit') emit('app');
      if (next.then === 'send-then-quit') {
        log.push('sent');
        phase = afterSending(phase);
        emit('app');
      }
    }
  };
  // A window let through after a question that found nothing waiting closes without another.
  const emitPassing = (): void => {
    log.push('window closed');
    if (platform === 'other') emit('app');
  };
  emit(first);
  if (databaseOpen) log.push('database still open');
  return log;
}

/** Questions shown (a look that finds nothing waiting shows none). */
const asked = (log: string[]) => log.filter((l) => l.startsWith('asked:')).length;

describe('leaving with changes not sent: one question, the database closed once', () => {
  it('maps the dialog buttons to answers, anything else being Cancel', () => {
    expect([0, 1, 2, -1].map(answerOf)).toEqual(['background', 'quit', 'cancel', 'cancel']);
  });

  it('Cmd+Q asks, and quitting now closes the database once before the windows go', () => {
    const log = play('app', 'quit');
    expect(asked(log)).toBe(1);
    expect(log.filter((l) => l === 'database closed')).toHaveLength(1);
    expect(log.slice(-3)).toEqual(['database closed', 'app:allow', 'window:allow']);
  });

  it('Cmd+Q with sync in the background sends, then closes the database and quits', () => {
    const log = play('app', 'background');
    expect(asked(log)).toBe(1);
    expect(log.indexOf('sent')).toBeLessThan(log.indexOf('database closed'));
    expect(log.at(-1)).toBe('window:allow');
  });

  it('closing the window asks once, though its quit passes through before-quit again', () => {
    for (const platform of ['darwin', 'other'] as const) {
      const log = play('window', 'quit', platform);
      expect(asked(log)).toBe(1);
      expect(log).toContain('database closed');
      expect(log).not.toContain('database still open');
    }
  });

  it('Cancel leaves everything open, from either side', () => {
    for (const via of ['app', 'window'] as const) {
      expect(play(via, 'cancel')).toEqual([`${via}:ask`, 'asked:cancel', 'database still open']);
    }
  });

  it('with nothing waiting, a closed window is only closed on macOS and quits elsewhere', () => {
    expect(play('window', 'none', 'darwin')).toEqual(['window:ask', 'looked', 'window closed', 'database still open']);
    const other = play('window', 'none', 'other');
    expect(other).toContain('database closed');
    // The last window's quit looks again (something may have changed since) and finds nothing.
    expect(other.slice(0, 5)).toEqual(['window:ask', 'looked', 'window closed', 'app:ask', 'looked']);
    expect(asked(other)).toBe(0);
  });

  it('holds every second request while a question is open, and lets windows go once leaving', () => {
    expect(quitStep('asking', 'app')).toBe('hold');
    expect(quitStep('asking', 'window')).toBe('hold');
    expect(quitStep('sending', 'window')).toBe('hold');
    expect(quitStep('closing', 'app')).toBe('hold');
    expect(quitStep('leaving', 'window')).toBe('allow');
    expect(quitStep('closed', 'app')).toBe('allow');
  });

  it('a second quit during the background sync quits now; the sync ending then changes nothing', () => {
    expect(quitStep('sending', 'app')).toBe('close');
    expect(afterSending('sending')).toBe('leaving');
    expect(afterSending('closing')).toBe('closing');
    expect(afterSending('closed')).toBe('closed');
  });
});
