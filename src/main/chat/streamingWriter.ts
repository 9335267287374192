/**
 * Saves a growing reply at most once per interval while it streams, so a crash loses at most
 * that much text, without one DB write per delta (a fast model sends hundreds a second). Writes
 * never overlap: a slow write delays the next one instead of queueing behind it.
 */
export class StreamingWriter {
  text = '';
  /** What the model thought before answering, saved beside the text. */
  reasoning = '';
  private dirty = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private lastWriteAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly save: (content: string, reasoning: string) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  append(piece: string): void {
    this.text += piece;
    this.dirty = true;
    this.schedule();
  }

  appendReasoning(piece: string): void {
    this.reasoning += piece;
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.writing) return;
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.write();
    }, wait);
  }

  private write(): void {
    if (!this.dirty || this.stopped) return;
    this.dirty = false;
    this.lastWriteAt = performance.now();
    this.writing = this.save(this.text, this.reasoning)
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.writing = null;
        if (this.dirty) this.schedule();
      });
  }

  /** Ends periodic saves and waits for a write in flight; the final text is the caller's to store. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
  }
}
