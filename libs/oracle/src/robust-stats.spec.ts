import fc from 'fast-check';
import {
  deviationQuantileOf,
  quantileOf,
  sortedOrder,
  sortedOrderInto,
  weightedQuantile,
  weightedQuantileOf,
} from './robust-stats';

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

  it('sortedOrderInto orders a prefix with reused buffers, like sortedOrder', () => {
    fc.assert(
      fc.property(samples, fc.nat(), (items, cut) => {
        const values = Float64Array.from(items.map((s) => s.value));
        const n = cut % (values.length + 1);
        const order = new Uint32Array(values.length + 3).fill(99);
        sortedOrderInto(values, n, order, new Float64Array(values.length + 3));
        expect([...order.subarray(0, n)]).toEqual([...sortedOrder(values.subarray(0, n))]);
      }),
      { numRuns: 200 },
    );
  });
});

/** Differential: the merged deviations against sorting the deviations (small weights: many exact ties). */
describe('deviationQuantileOf', () => {
  const items = fc.array(
    fc.record({ value: fc.integer({ min: 0, max: 30 }), weight: fc.integer({ min: 1, max: 4 }) }),
    { minLength: 1, maxLength: 30 },
  );

  it('equals the weighted quantile of the sorted deviations, for any centre and quantile', () => {
    fc.assert(
      fc.property(
        items,
        fc.integer({ min: -5, max: 35 }),
        fc.constantFrom(0.1, 0.25, 0.5, 0.75, 1),
        (xs, c, q) => {
          const values = Float64Array.from(xs.map((s) => s.value));
          const weights = Float64Array.from(xs.map((s) => s.weight));
          const n = xs.length;
          const total = xs.reduce((sum, s) => sum + s.weight, 0);
          const deviations = Float64Array.from(xs.map((s) => Math.abs(s.value - c)));
          const expected = quantileOf(deviations, weights, sortedOrder(deviations), n, q);
          expect(deviationQuantileOf(values, weights, sortedOrder(values), n, c, q, total)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
