/** Table rows for the browser figures (issue 4's targets). */
import { fmtInt, fmtMs } from './cli';
import type { BrowserBenchResults } from './browser-bench';
import type { Row } from './report';

export const BROWSER_TARGETS = {
  paletteP95Ms: 50,
  openBigSessionMs: 150,
  maxMessageRows: 300,
  sidebarFirstRenderMs: 200,
  /** A frame every 200 ms at worst: slower than that reads as a frozen window. */
  hugeMessageLongestTaskMs: 200,
};

export function browserRows(b: BrowserBenchResults | null | undefined): Row[] {
  if (!b) return [];
  const row = (measure: string, value: string, target: string, pass: boolean | null): Row => ({
    measure,
    pglite: value,
    native: '',
    ratio: '',
    target,
    pass,
  });
  const rows: Row[] = [];
  rows.push(
    b.palette
      ? row(
          `Cmd+K keypress to results painted, p50 / p95 (${b.palette.queries} queries)`,
          `${fmtMs(b.palette.p50)} / ${fmtMs(b.palette.p95)} ms`,
          `p95 ≤ ${BROWSER_TARGETS.paletteP95Ms} ms`,
          b.palette.p95 <= BROWSER_TARGETS.paletteP95Ms,
        )
      : row(
          'Cmd+K keypress to results painted',
          `not measured: ${b.paletteError ?? 'no palette'}`,
          `p95 ≤ ${BROWSER_TARGETS.paletteP95Ms} ms`,
          false,
        ),
  );
  rows.push(
    row(
      'open the 10k-message session: click to first paint, p50 / p95',
      `${fmtMs(b.openBigSession.p50)} / ${fmtMs(b.openBigSession.p95)} ms`,
      `≤ ${BROWSER_TARGETS.openBigSessionMs} ms`,
      b.openBigSession.p95 <= BROWSER_TARGETS.openBigSessionMs,
    ),
  );
  rows.push(
    row(
      `message rows in the DOM, most at once over ${b.scrollSteps} scroll-ups (${fmtInt(b.messagesSeen)} messages passed)`,
      fmtInt(b.maxMessageRows),
      `≤ ${BROWSER_TARGETS.maxMessageRows}`,
      b.maxMessageRows <= BROWSER_TARGETS.maxMessageRows,
    ),
  );
  rows.push(
    row(
      `open a chat with a ${fmtInt(b.hugeMessage.bytes / 1000)} kB reply: longest main-thread task (painted after ${fmtMs(b.hugeMessage.openMs)} ms)`,
      `${fmtMs(b.hugeMessage.longestTaskMs)} ms`,
      `≤ ${BROWSER_TARGETS.hugeMessageLongestTaskMs} ms`,
      b.hugeMessage.longestTaskMs <= BROWSER_TARGETS.hugeMessageLongestTaskMs,
    ),
  );
  rows.push(
    row(
      `sidebar, ${fmtInt(b.sidebar.sessions)} sessions: app's first render to first row painted, p50 / p95`,
      `${fmtMs(b.sidebar.fromAppStart.p50)} / ${fmtMs(b.sidebar.fromAppStart.p95)} ms`,
      `≤ ${BROWSER_TARGETS.sidebarFirstRenderMs} ms`,
      b.sidebar.fromAppStart.p95 <= BROWSER_TARGETS.sidebarFirstRenderMs,
    ),
  );
  rows.push(
    row(
      '  of which: first sessions.list round trip (socket, main, DB worker), p50 / p95',
      `${fmtMs(b.sidebar.listRoundTrip.p50)} / ${fmtMs(b.sidebar.listRoundTrip.p95)} ms`,
      '(context)',
      null,
    ),
  );
  rows.push(
    row(
      '  of which: its answer to the first row painted (React render), p50 / p95',
      `${fmtMs(b.sidebar.answerToPaint.p50)} / ${fmtMs(b.sidebar.answerToPaint.p95)} ms`,
      '(context)',
      null,
    ),
  );
  rows.push(
    row(
      `sidebar, ${fmtInt(b.sidebar.sessions)} sessions: page load (navigation) to first row painted, p50 / p95`,
      `${fmtMs(b.sidebar.fromNavigation.p50)} / ${fmtMs(b.sidebar.fromNavigation.p95)} ms`,
      '(context)',
      null,
    ),
  );
  return rows;
}
