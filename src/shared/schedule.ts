/**
 * Runs `run` once after `firstDelayMs`, then every `intervalMs`, never two at once (a tick that
 * finds the last run still going is skipped). The timers are unref'd where the host has that
 * (Node): a pending chore never keeps the process alive. One helper for every recurring chore
 * (retention, daily backups, the blob collector), so none re-implements the overlap guard.
 */
export interface RepeatingOptions {
  /** Delay of the first run, so it does not compete with the first screen's reads. */
  firstDelayMs: number;
  intervalMs: number;
  /** Where a failed run is reported; the schedule goes on. */
  onError: (err: unknown) => void;
}

export function scheduleRepeating(run: () => Promise<unknown>, options: RepeatingOptions): () => void {
  let running = false;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = true;
    run()
      .catch(options.onError)
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(tick, options.firstDelayMs);
  const repeat = setInterval(tick, options.intervalMs);
  for (const timer of [first, repeat]) (timer as { unref?: () => void }).unref?.();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(repeat);
  };
}
