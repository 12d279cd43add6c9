import { IdempotencyCache, fingerprint } from './idempotency';
import { ReplayWindow } from './replay-window';
import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('allows a burst, then refills at the rate, per key', () => {
    const b = new TokenBuckets({ capacity: 3, refillPerS: 2 });
    for (let i = 0; i < 3; i++) expect(b.take('k', 1000).ok).toBe(true);
    const refused = b.take('k', 1000);
    expect(refused).toEqual({ ok: false, retryAfterMs: 500 });
    expect(b.take('other', 1000).ok).toBe(true);
    expect(b.take('k', 1500).ok).toBe(true);
    expect(b.take('k', 1500).ok).toBe(false);
    expect(b.take('k', 100_000, 3).ok).toBe(true); // never more than the capacity
    expect(b.take('k', 100_000).ok).toBe(false);
  });

  it('forgets idle buckets', () => {
    const b = new TokenBuckets({ capacity: 2, refillPerS: 1 });
    for (let i = 0; i < 100; i++) b.take(`k${i}`, 0);
    b.take('x', 10_000);
    expect(b.size).toBe(1);
  });
});

describe('ReplayWindow', () => {
  /** A signature as hex: 64 digits from a seed, distinct seeds giving distinct first 128 bits. */
  const sig = (seed: number) =>
    Array.from({ length: 8 }, (_, i) => ((seed * 2654435761 + i * 40503) >>> 0).toString(16).padStart(8, '0')).join(''); // prettier-ignore

  it('admits a signature once within the window, and forgets it after', () => {
    const w = new ReplayWindow(1000);
    const a = sig(1);
    expect(w.admit(a, 100, 100)).toBe(true);
    expect(w.admit(a, 100, 500)).toBe(false);
    // the same signature in capitals is the same request
    expect(w.admit(a.toUpperCase(), 100, 600)).toBe(false);
    expect(w.admit(sig(2), 500, 500)).toBe(true);
    expect(w.admit(a, 100, 1200)).toBe(true);
    // a timestamp ahead of the clock keeps its signature until the window has passed after it
    expect(w.admit(sig(3), 2000, 1300)).toBe(true);
    expect(w.admit(sig(3), 2000, 2999)).toBe(false);
    expect(w.admit(sig(3), 2000, 3000)).toBe(true);
  });

  it('keeps only the first 128 bits', () => {
    const w = new ReplayWindow(1000);
    const a = sig(7);
    expect(w.admit(a, 0, 0)).toBe(true);
    expect(w.admit(a.slice(0, 32) + 'f'.repeat(32), 0, 1)).toBe(false);
    // a digit changed within them is another request
    const other = a.slice(0, 31) + (a[31] === '0' ? '1' : '0') + a.slice(32);
    expect(w.admit(other, 0, 1)).toBe(true);
  });

  it('refuses what is not a signature', () => {
    const w = new ReplayWindow(1000);
    expect(() => w.admit('a', 0, 0)).toThrow(RangeError);
    expect(() => w.admit('g'.repeat(64), 0, 0)).toThrow(RangeError);
    expect(() => new ReplayWindow(0)).toThrow(RangeError);
  });

  it('grows past its first tables and drops a generation once all of it has expired', () => {
    const w = new ReplayWindow(1000); // generations of 250 ms
    const n = 5000;
    const admitted = (from: number, to: number, nowMs: number) => {
      let yes = 0;
      for (let i = from; i < to; i++) if (w.admit(sig(i), 0, nowMs)) yes++;
      return yes;
    };
    expect(admitted(0, n, 0)).toBe(n);
    expect(admitted(0, n, 10)).toBe(0);
    expect(w.size).toBe(n);
    const grownBytes = w.bytes;
    expect(grownBytes).toBeGreaterThanOrEqual(n * 24);
    // a second generation from 250 ms
    for (let i = n; i < n + 10; i++) expect(w.admit(sig(i), 250, 250)).toBe(true);
    expect(w.size).toBe(n + 10);
    // at 1000 ms the first generation has expired whole: only the second is left
    expect(w.admit(sig(n + 100), 1000, 1000)).toBe(true);
    expect(w.size).toBe(11);
    expect(w.bytes).toBeLessThan(grownBytes);
    expect(w.admit(sig(0), 0, 1000)).toBe(true); // forgotten (it would be stale by now anyway)
    expect(w.admit(sig(n + 5), 250, 1000)).toBe(false);
  });
});

describe('IdempotencyCache', () => {
  it('answers the same request with the first result and a different one with a conflict', async () => {
    const c = new IdempotencyCache<number>(1000, 2);
    expect(c.lookup('k', 'a', 0)).toBe('miss');
    c.remember('k', 'a', Promise.resolve(1), 0);
    await expect(c.lookup('k', 'a', 10) as Promise<number>).resolves.toBe(1);
    expect(c.lookup('k', 'b', 10)).toBe('conflict');
    expect(c.lookup('k', 'a', 2000)).toBe('miss');
    c.remember('1', 'a', Promise.resolve(1), 0);
    c.remember('2', 'a', Promise.resolve(2), 0);
    c.remember('3', 'a', Promise.resolve(3), 0);
    expect(c.size).toBe(2);
    expect(fingerprint({ b: 1, a: [1, { d: 1, c: 2 }] })).toBe(fingerprint({ a: [1, { c: 2, d: 1 }], b: 1 }));
  });
});
