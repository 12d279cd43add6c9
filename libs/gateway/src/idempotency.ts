/**
 * Answers retries of a request that carries a client order id with the first request's result: the
 * same id with the same request gets the same answer (even while the first is still in flight); the
 * same id with a different request is a conflict. Entries live `ttlMs` and at most `maxEntries` are
 * kept (oldest dropped first). Time comes in as an argument.
 */
export class IdempotencyCache<T> {
  private readonly entries = new Map<string, { fingerprint: string; result: Promise<T>; atMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  /** 'miss', the earlier result, or 'conflict' when the id was used for a different request. */
  lookup(key: string, fingerprint: string, nowMs: number): Promise<T> | 'miss' | 'conflict' {
    const e = this.entries.get(key);
    if (e === undefined) return 'miss';
    if (nowMs - e.atMs > this.ttlMs) {
      this.entries.delete(key);
      return 'miss';
    }
    return e.fingerprint === fingerprint ? e.result : 'conflict';
  }

  remember(key: string, fingerprint: string, result: Promise<T>, nowMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { fingerprint, result, atMs: nowMs });
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && nowMs - e.atMs <= this.ttlMs) break;
      this.entries.delete(k);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A canonical JSON text of a request (keys sorted), to compare two requests. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
