/**
 * Runs `pass` every `intervalMs`, counted from the end of the previous pass (passes never overlap);
 * a failed pass is reported to `onError` and the next one still comes. `stop` waits for a pass under way.
 */
export class PassTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch(this.onError)
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}
