/**
 * Token buckets per key (API key or client address): each holds up to `capacity` tokens and refills
 * at `refillPerS`; a request takes `cost` tokens or is refused with the wait until it could pass.
 * Time comes in as an argument. Buckets that refilled completely are forgotten, so memory follows the
 * number of recently active keys.
 */
export interface BucketConfig {
  capacity: number;
  refillPerS: number;
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(private readonly config: BucketConfig) {
    if (!(config.capacity > 0) || !(config.refillPerS > 0))
      throw new RangeError('token bucket capacity and refill rate must be positive');
  }

  take(key: string, nowMs: number, cost = 1): TakeResult {
    const { capacity, refillPerS } = this.config;
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { tokens: capacity, atMs: nowMs };
      this.buckets.set(key, b);
    } else if (nowMs > b.atMs) {
      b.tokens = Math.min(capacity, b.tokens + ((nowMs - b.atMs) * refillPerS) / 1000);
      b.atMs = nowMs;
    }
    this.sweep(nowMs);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterMs: Math.ceil(((cost - b.tokens) * 1000) / refillPerS) };
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets that would be full by now (at most once per refill period). */
  private sweep(nowMs: number): void {
    const fullAfterMs = (this.config.capacity * 1000) / this.config.refillPerS;
    if (nowMs - this.lastSweepMs < fullAfterMs) return;
    this.lastSweepMs = nowMs;
    for (const [key, b] of this.buckets) if (nowMs - b.atMs >= fullAfterMs) this.buckets.delete(key);
  }
}
