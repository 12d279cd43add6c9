import fc from 'fast-check';
import { CandleSeries } from '../src/trading/candles';
import { volSurface } from '../src/trading/vol-surface';

/** The obvious aggregation: group by bucket start, order within a bucket by arrival. */
function naive(trades: readonly [number, number, number][], widthMs: number) {
  const byStart = new Map<number, [number, number, number][]>();
  for (const t of trades) {
    const start = Math.floor(t[0] / widthMs) * widthMs;
    byStart.set(start, [...(byStart.get(start) ?? []), t]);
  }
  return [...byStart]
    .sort(([a], [b]) => a - b)
    .map(([startMs, ts]) => ({
      startMs,
      openTicks: ts[0]![1],
      highTicks: Math.max(...ts.map((t) => t[1])),
      lowTicks: Math.min(...ts.map((t) => t[1])),
      closeTicks: ts.at(-1)![1],
      volumeLots: ts.reduce((n, t) => n + t[2], 0),
      trades: ts.length,
    }));
}

describe('CandleSeries', () => {
  it('equals a naive aggregation of trades in time order, and its ranges are slices of it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400_000 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 })), { maxLength: 200 }), // prettier-ignore
        fc.constantFrom(60_000, 300_000),
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 1, max: 10 }),
        (raw, width, a, b, limit) => {
          const trades = [...raw].sort((x, y) => x[0] - y[0]); // engine time never goes back
          const s = new CandleSeries(width, 1000);
          for (const [t, p, q] of trades) s.add(t, p, q);
          const all = naive(trades, width);
          expect(s.candles).toEqual(all);
          const [from, to] = [Math.min(a, b), Math.max(a, b)];
          const inside = all.filter((c) => c.startMs >= from && c.startMs < to);
          expect(s.range(from, to, limit)).toEqual(inside.slice(Math.max(0, inside.length - limit)));
        },
      ),
    );
  });

  it('keeps the newest buckets up to its capacity; a late trade widens its own bucket, not the newest', () => {
    const s = new CandleSeries(60_000, 3);
    for (let m = 0; m < 5; m++) s.add(m * 60_000 + 1, 100 + m, 1);
    expect(s.candles.map((c) => c.startMs)).toEqual([120_000, 180_000, 240_000]);
    s.add(180_500, 90, 2); // older than the newest bucket
    expect(s.candles[1]).toMatchObject({
      openTicks: 103,
      lowTicks: 90,
      closeTicks: 103,
      volumeLots: 3,
      trades: 2,
    });
    expect(s.candles[2]).toMatchObject({ closeTicks: 104, trades: 1 });
    s.add(-30_000, 50, 1); // older than every bucket kept, at capacity: its bucket is the one that goes
    expect(s.candles.map((c) => c.startMs)).toEqual([120_000, 180_000, 240_000]);
    expect(s.range(0, 200_000, 10).map((c) => c.startMs)).toEqual([120_000, 180_000]);
  });
});

describe('volSurface', () => {
  it('lists every expiry with options; too few quotes give no parameters and no vols', () => {
    const now = Date.UTC(2026, 10, 1);
    const expiryMs = now + 90 * 86_400_000;
    const option = (strike: string, bid: number, ask: number) => ({
      underlying: 'H100-2702', strike, isCall: true, expiryMs, tickSize: '0.0005', bidTicks: bid, askTicks: ask,
    }); // prettier-ignore
    const forwards = new Map([['H100-2702', { markTicks: 2500, tickSize: '0.001' }]]);
    const thin = volSurface('H100', [option('2.50', 600, 620), option('3.00', 0, 100)], forwards, now);
    expect(thin.slices).toHaveLength(1);
    expect(thin.slices[0]).toMatchObject({ underlying: 'H100-2702', forward: '2.5', quotes: 1, status: 'INSUFFICIENT_DATA', params: null }); // prettier-ignore
    expect(thin.slices[0]!.grid).toEqual([
      { strike: '2.50', logMoneyness: 0, vol: null },
      { strike: '3.00', logMoneyness: Math.log(3 / 2.5), vol: null },
    ]);
    // without the future's mark there is no forward: nothing to fit
    expect(volSurface('H100', [option('2.50', 600, 620)], new Map(), now).slices).toEqual([]);
  });
});
