/**
 * Reloads triggered by events can arrive in bursts (an append emits messages.changed and
 * sessions.changed; a sync can emit dozens). Running them in parallel wastes work and lets an
 * older response overwrite a newer one, so a reload requested while one runs is folded into a
 * single follow-up run.
 */
export function coalesce(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let dirty = false;
  return () => {
    if (running) {
      dirty = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          dirty = false;
          await task();
        } while (dirty);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

/** `coalesce` per key, e.g. one lane per session. Lanes are a closure each, so they are kept. */
export function coalesceByKey(task: (key: string) => Promise<void>): (key: string) => Promise<void> {
  const lanes = new Map<string, () => Promise<void>>();
  return (key) => {
    let lane = lanes.get(key);
    if (!lane) {
      lane = coalesce(() => task(key));
      lanes.set(key, lane);
    }
    return lane();
  };
}
