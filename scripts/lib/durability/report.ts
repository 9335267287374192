/** The durability section's rows in the bench table. */
import { fmtInt, fmtMs } from '../cli';
import type { Row } from '../report';
import type { Summary } from '../stats';
import type { DurabilityResults } from './run';

export const DURABILITY_TARGETS = {
  /** A reopen after a crash should cost about what a clean cold open does (issue 3's 1 s). */
  crashReopenP95Ms: 1500,
  /** One save interval: at most 250 ms of text may be lost at a crash. */
  lostTextP95Ms: 250,
};

const pairMs = (s: Summary) => `${fmtMs(s.p50)} / ${fmtMs(s.p95)} ms`;

export function durabilityRows(r: DurabilityResults | null | undefined): Row[] {
  if (!r) return [];
  const c = r.crash;
  const n = c.trials.length;
  const rate = c.streamCharsPerSecond;
  const lostMs = (chars: number) => (rate > 0 ? (chars / rate) * 1000 : Number.NaN);
  return [
    {
      measure: `reopen after SIGKILL during writes: open, recovery, first session list, p50 / p95 of ${n}`,
      pglite: pairMs(c.reopenTotal),
      native: '',
      ratio: '',
      target: `p95 ≤ ${DURABILITY_TARGETS.crashReopenP95Ms} ms`,
      pass: c.reopenTotal.p95 <= DURABILITY_TARGETS.crashReopenP95Ms,
    },
    {
      measure: `  what the crash added: that reopen minus a clean reopen of the same dir right after, p50 / p95`,
      pglite: pairMs(c.crashOverhead),
      native: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measure: `  the same in CPU time (steadier on a busy machine); the crash reopen's own CPU time, p50 / p95`,
      pglite: `${pairMs(c.crashOverheadCpu)}; ${pairMs(c.reopenCpu)}`,
      native: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measure: `  (context) the base data dir after a clean close, median of 3`,
      pglite: `${fmtMs(r.cleanReopen.medianMs)} ms`,
      native: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measure: `  (context) WAL to replay at the kill, p50 / p95`,
      pglite: `${c.walAtKillMB.p50.toFixed(1)} / ${c.walAtKillMB.p95.toFixed(1)} MB`,
      native: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measure: `reply text lost at SIGKILL with bulk writes queued, p50 / p95 (streaming ${fmtInt(rate)} chars/s)`,
      pglite: `${fmtInt(c.lostChars.p50)} / ${fmtInt(c.lostChars.p95)} chars (${fmtMs(lostMs(c.lostChars.p50))} / ${fmtMs(lostMs(c.lostChars.p95))} ms)`,
      native: '',
      ratio: '',
      target: `p95 ≤ ${DURABILITY_TARGETS.lostTextP95Ms} ms of text`,
      pass: lostMs(c.lostChars.p95) <= DURABILITY_TARGETS.lostTextP95Ms,
    },
    {
      measure: `  unsaved text at any moment while streaming (polled every 50 ms), p50 / p95`,
      pglite: `${fmtInt(c.atRiskChars.p50)} / ${fmtInt(c.atRiskChars.p95)} chars (${fmtMs(lostMs(c.atRiskChars.p50))} / ${fmtMs(lostMs(c.atRiskChars.p95))} ms)`,
      native: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measure: `  (context) longest wait between two saves of the streaming reply, p50 / p95`,
      pglite: pairMs(c.maxSaveGapMs),
      native: '',
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measure: `acknowledged batches lost; replies not back as interrupted or not a prefix (${n} kills)`,
      pglite: `${c.lostBatches}; ${c.notInterrupted}; ${c.notPrefix}`,
      native: '',
      ratio: '',
      target: '0; 0; 0',
      pass: c.lostBatches === 0 && c.notInterrupted === 0 && c.notPrefix === 0,
    },
  ];
}
