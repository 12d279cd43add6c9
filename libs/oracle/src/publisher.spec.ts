import { IndexPublisher, twap, type IndexValue, type PublishedRound } from '@exchange/oracle';

const T0 = 1_780_000_000_000;
const MIN = 60_000;

function value(priceMicros: number | null, asOfMs = T0): IndexValue {
  return {
    indexId: 'H100',
    status: priceMicros === null ? 'stale' : 'ok',
    priceMicros,
    lowMicros: priceMicros,
    highMicros: priceMicros,
    utilisationBps: priceMicros === null ? null : 7_000,
    providers: priceMicros === null ? 0 : 5,
    outlierProviders: [],
    asOfMs,
  };
}

describe('IndexPublisher', () => {
  const config = { deviationBps: 50, heartbeatMs: 60 * MIN, maxGapMs: 120 * MIN };

  it('publishes first, on deviation over the threshold and on heartbeat; never a stale index', () => {
    const p = new IndexPublisher('H100', config);
    expect(p.offer(value(null), T0)).toEqual({ published: false, reason: 'INDEX_STALE' });
    expect(p.offer(value(2_500_000), T0)).toMatchObject({ published: true, reason: 'FIRST' });
    // 50 bps of 2.5 = 12,500 micros: exactly the threshold is not a deviation
    expect(p.offer(value(2_512_500), T0 + MIN)).toEqual({ published: false, reason: 'WITHIN_THRESHOLD' });
    expect(p.offer(value(2_512_501), T0 + 2 * MIN)).toMatchObject({ published: true, reason: 'DEVIATION' });
    expect(p.offer(value(2_487_499), T0 + 3 * MIN)).toMatchObject({ published: true, reason: 'DEVIATION' });
    expect(p.offer(value(2_487_499), T0 + 3 * MIN + 60 * MIN - 1).published).toBe(false);
    expect(p.offer(value(2_487_499), T0 + 63 * MIN)).toMatchObject({ published: true, reason: 'HEARTBEAT' });
    expect(p.offer(value(null), T0 + 200 * MIN)).toEqual({ published: false, reason: 'INDEX_STALE' });
    expect(p.offer(value(9_000_000), T0 + 63 * MIN)).toEqual({
      published: false,
      reason: 'TIME_NOT_MONOTONIC',
    });
    expect(p.history.map((r) => [r.roundId, r.priceMicros])).toEqual([
      [1, 2_500_000],
      [2, 2_512_501],
      [3, 2_487_499],
      [4, 2_487_499],
    ]);
  });

  it('computes a time-weighted average over the published step function', () => {
    const p = new IndexPublisher('H100', config);
    p.offer(value(2_000_000), T0);
    p.offer(value(3_000_000), T0 + 10 * MIN);
    p.offer(value(2_500_000), T0 + 40 * MIN);
    // [T0, T0+60m): 10m at 2.0, 30m at 3.0, 20m at 2.5 => (20 + 90 + 50) / 60 = 2.666667 (half-even)
    expect(p.twap(T0, T0 + 60 * MIN)).toEqual({ status: 'ok', priceMicros: 2_666_667, samples: 3 });
    // window inside one step
    expect(p.twap(T0 + 15 * MIN, T0 + 35 * MIN)).toEqual({
      status: 'ok',
      priceMicros: 3_000_000,
      samples: 1,
    });
    // window starting before the first round lacks data
    expect(p.twap(T0 - MIN, T0 + 60 * MIN)).toEqual({
      status: 'insufficient_data',
      priceMicros: null,
      samples: 0,
    });
    // the last round may not stand in for longer than maxGapMs
    expect(p.twap(T0, T0 + 40 * MIN + 121 * MIN).status).toBe('insufficient_data');
    expect(p.twap(T0 + MIN, T0 + MIN).status).toBe('insufficient_data');
  });

  it('rounds TWAP half to even and uses bigint sums for long windows', () => {
    const rounds: PublishedRound[] = [1, 2].map((i) => ({
      indexId: 'CU',
      roundId: i,
      priceMicros: i === 1 ? 1 : 2,
      lowMicros: 0,
      highMicros: 0,
      utilisationBps: 0,
      providers: 3,
      publishedAtMs: T0 + (i - 1) * 1_000,
    }));
    expect(twap(rounds, T0, T0 + 2_000, 10_000)).toEqual({ status: 'ok', priceMicros: 2, samples: 2 }); // 1.5 -> 2
    const big: PublishedRound[] = [{ ...rounds[0]!, priceMicros: 1_000_000_000 }];
    expect(twap(big, T0, T0 + 365 * 86_400_000, 400 * 86_400_000)).toMatchObject({
      priceMicros: 1_000_000_000,
    });
  });
});
