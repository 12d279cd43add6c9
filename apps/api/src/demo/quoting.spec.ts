import { DEFAULT_QUOTING, quoteLevels } from './quoting';

const wide = { minPriceTicks: 1, maxPriceTicks: 1_000_000 };
const draws = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};

describe('demo quoting rule', () => {
  it('quotes levels on both sides around the fair price, half spread and step in basis points', () => {
    // fair 25,000 ticks: half spread ceil(25,000 x 50 / 10,000) = 125, step ceil(25,000 x 40 / 10,000) = 100
    const levels = quoteLevels(25_000, wide, DEFAULT_QUOTING, draws(0.1));
    expect(levels.map((l) => [l.side, l.priceTicks])).toEqual([
      ['buy', 24_875],
      ['sell', 25_125],
      ['buy', 24_775],
      ['sell', 25_225],
    ]);
    expect(levels.every((l) => l.lots === 1)).toBe(true); // draw 0.1 of 5 lots: 1
  });

  it('widens by a tick on the jitter draw and sizes from 1 to maxLots', () => {
    const levels = quoteLevels(25_000, wide, DEFAULT_QUOTING, draws(0.9));
    expect(levels[0]).toEqual({ side: 'buy', priceTicks: 24_874, lots: 5 });
    expect(levels[1]).toEqual({ side: 'sell', priceTicks: 25_126, lots: 5 });
  });

  it('keeps at least a tick of spread on cheap instruments and leaves out levels off the limits', () => {
    // fair 3 ticks: half spread 1, step 1; bids at 2 and 1, asks at 4 and 5; min price 2 drops the bid at 1
    const levels = quoteLevels(3, { minPriceTicks: 2, maxPriceTicks: 4 }, DEFAULT_QUOTING, draws(0));
    expect(levels.map((l) => [l.side, l.priceTicks])).toEqual([
      ['buy', 2],
      ['sell', 4],
    ]);
  });

  it('quotes nothing without a positive fair price', () => {
    expect(quoteLevels(0, wide, DEFAULT_QUOTING, draws(0))).toEqual([]);
    expect(quoteLevels(Number.NaN, wide, DEFAULT_QUOTING, draws(0))).toEqual([]);
  });
});
