import fc from 'fast-check';
import { sortedOrder, weightedQuantile, weightedQuantileOf } from './robust-stats';

/** Differential: the typed-array quantile path against the obvious object-sorting reference. */
describe('sortedOrder and weightedQuantileOf', () => {
  const samples = fc.array(
    fc.record({
      value: fc.integer({ min: 0, max: 1_000_000_000 }),
      weight: fc.integer({ min: 1, max: 10_000 }),
    }),
    { minLength: 1, maxLength: 60 },
  );

  it('agree with the reference for any quantile', () => {
    fc.assert(
      fc.property(samples, fc.double({ min: 0, max: 1, noNaN: true }), (items, q) => {
        const values = Float64Array.from(items.map((s) => s.value));
        const weights = Float64Array.from(items.map((s) => s.weight));
        const reference = weightedQuantile(
          [...items].sort((a, b) => a.value - b.value),
          q,
        );
        expect(weightedQuantileOf(values, weights, sortedOrder(values), q)).toBe(reference);
      }),
      { numRuns: 200 },
    );
  });

  it('falls back to a comparator sort when packed keys would exceed 2^53', () => {
    const values = Float64Array.from([2 ** 52, 5, 2 ** 52 - 1, 5, 0]);
    expect([...sortedOrder(values)]).toEqual([4, 1, 3, 2, 0]);
    expect([...sortedOrder(Float64Array.from([0.5, -1, 0.25]))]).toEqual([1, 2, 0]);
    const small = Float64Array.from([3, 1, 2, 1]);
    expect([...sortedOrder(small)]).toEqual([1, 3, 2, 0]);
  });
});
