import { FAST_EXP_TABLE, fastExp } from './fast-exp';
import { HP, exactHp } from '../test/exact-double';

/** Distance between two doubles in units in the last place of b. */
function ulps(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, b);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, bits + 1n);
  return Math.abs(a - b) / (view.getFloat64(0) - b);
}

/** A deterministic stream in [0, 1) (no Math.random in tests that must be replayable). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('fastExp', () => {
  it('has a table of 2^(j/256) correct to double-double precision', () => {
    expect(FAST_EXP_TABLE.hi.length).toBe(256);
    expect(FAST_EXP_TABLE.lo.length).toBe(256);
    for (let j = 0; j < 256; j++) {
      const exact = new HP(2).pow(new HP(j).div(256));
      const hi = FAST_EXP_TABLE.hi[j]!;
      const lo = FAST_EXP_TABLE.lo[j]!;
      expect(hi).toBe(exact.toNumber());
      expect(exact.minus(exactHp(hi)).minus(exactHp(lo)).abs().toNumber()).toBeLessThan(1e-32);
    }
  });

  it('is within 1 ulp of the 60-digit exponential', () => {
    const rnd = lcg(7);
    let worst = 0;
    for (let i = 0; i < 3000; i++) {
      const x = (rnd() - 0.5) * [1416, 40, 2, 0.02][i % 4]!;
      const exact = exactHp(x).exp();
      const e = exact.toNumber();
      worst = Math.max(
        worst,
        exact
          .minus(exactHp(fastExp(x)))
          .abs()
          .toNumber() / ulpOf(e),
      );
    }
    expect(worst).toBeLessThan(1);
  });

  it('is within 1 ulp of Math.exp on a million arguments across the range', () => {
    const rnd = lcg(11);
    let worst = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const x = (rnd() - 0.5) * [1416, 60, 1.4, 1e-3][i % 4]!;
      worst = Math.max(worst, ulps(fastExp(x), Math.exp(x)));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('handles the edges like Math.exp', () => {
    for (const x of [0, -0, 1e-300, -1e-300, 707.9, 708.5, 709.5, -707.9, -708.5, -745.2, -746, -1000]) {
      expect(ulps(fastExp(x), Math.exp(x))).toBeLessThanOrEqual(1);
    }
    expect(fastExp(709.9)).toBe(Number.POSITIVE_INFINITY);
    expect(fastExp(Number.NaN)).toBeNaN();
    expect(fastExp(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(fastExp(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(fastExp(0)).toBe(1);
  });
});

/** The spacing of doubles at |v|. */
function ulpOf(v: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0) - Math.abs(v);
}
