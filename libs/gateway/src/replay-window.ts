/**
 * Remembers signatures seen within the receive window so that a captured signed request cannot be
 * sent again: a request is new when its signature was not seen; once its timestamp falls out of the
 * window it would be refused as stale anyway, so it is forgotten. Time comes in as an argument.
 */
export class ReplayWindow {
  private readonly seen = new Map<string, number>();
  private readonly order: { id: string; expiresMs: number }[] = [];
  private head = 0;

  /** @param windowMs how long an id is kept after its timestamp (the largest receive window plus skew) */
  constructor(private readonly windowMs: number) {}

  /** Records `id`; false when it was already recorded and has not expired. */
  admit(id: string, timestampMs: number, nowMs: number): boolean {
    this.expire(nowMs);
    if (this.seen.has(id)) return false;
    const expiresMs = Math.max(timestampMs, nowMs) + this.windowMs;
    this.seen.set(id, expiresMs);
    this.order.push({ id, expiresMs });
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(nowMs: number): void {
    // ids expire roughly in insertion order; a later one with an earlier expiry waits for its turn
    while (this.head < this.order.length && this.order[this.head]!.expiresMs <= nowMs) {
      const e = this.order[this.head++]!;
      if (this.seen.get(e.id) === e.expiresMs) this.seen.delete(e.id);
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }
}
