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
  it('admits an id once within the window, and forgets it after', () => {
    const w = new ReplayWindow(1000);
    expect(w.admit('a', 100, 100)).toBe(true);
    expect(w.admit('a', 100, 500)).toBe(false);
    expect(w.admit('b', 500, 500)).toBe(true);
    expect(w.admit('a', 100, 1200)).toBe(true);
    expect(w.size).toBe(2);
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
