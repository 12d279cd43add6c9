import { FAST_LOG_TABLE, fastLog } from './fast-log';
import { exactHp } from '../test/exact-double';

/** The spacing of doubles at |v|. */
function ulpOf(v: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0) - Math.abs(v);
}

/** A deterministic stream in [0, 1) (no Math.random in tests that must be replayable). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('fastLog', () => {
  it('has a table of ln c_j correct to double-double precision, with c = 1 around 1', () => {
    expect(FAST_LOG_TABLE.c.length).toBe(256);
    for (let j = 0; j < 256; j++) {
      const exact = exactHp(FAST_LOG_TABLE.c[j]!).ln();
      const hi = FAST_LOG_TABLE.lnHi[j]!;
      expect(hi).toBe(exact.toNumber());
      expect(exact.minus(exactHp(hi)).minus(exactHp(FAST_LOG_TABLE.lnLo[j]!)).abs().toNumber()).toBeLessThan(
        1e-32,
      );
    }
    expect([FAST_LOG_TABLE.c[148], FAST_LOG_TABLE.c[149], FAST_LOG_TABLE.c[150]]).toEqual([1, 1, 1]);
  });

  it('is within 1 ulp of the 60-digit logarithm, near 1 included', () => {
    const rnd = lcg(5);
    let worst = 0;
    for (let i = 0; i < 3000; i++) {
      const z = [Math.exp((rnd() - 0.5) * 1400), Math.exp((rnd() - 0.5) * 3), 1 + (rnd() - 0.5) * 0.02][
        i % 3
      ]!;
      const exact = exactHp(z).ln();
      worst = Math.max(
        worst,
        exact
          .minus(exactHp(fastLog(z)))
          .abs()
          .toNumber() / ulpOf(exact.toNumber()),
      );
    }
    expect(worst).toBeLessThan(1);
  });

  it('is within 1 ulp of Math.log on a million arguments across the range', () => {
    const rnd = lcg(13);
    let worst = 0;
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 1_000_000; i++) {
      const z = [
        Math.exp((rnd() - 0.5) * 1400),
        Math.exp((rnd() - 0.5) * 1.4),
        1 + (rnd() - 0.5) * 1e-2,
        1 + (rnd() - 0.5) * 1e-7,
      ][i % 4]!;
      const a = fastLog(z);
      const b = Math.log(z);
      view.setFloat64(0, Math.abs(b));
      view.setBigUint64(0, view.getBigUint64(0) + 1n);
      worst = Math.max(worst, Math.abs(a - b) / (view.getFloat64(0) - Math.abs(b)));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('handles the edges like Math.log', () => {
    expect(fastLog(1)).toBe(0);
    expect(fastLog(2)).toBe(Math.log(2));
    expect(fastLog(0.5)).toBe(Math.log(0.5));
    for (const z of [Number.MAX_VALUE, 2.2250738585072014e-308, 1e-310, 5e-324]) {
      expect(Math.abs(fastLog(z) - Math.log(z))).toBeLessThanOrEqual(ulpOf(Math.log(z)));
    }
    expect(fastLog(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(fastLog(-1)).toBeNaN();
    expect(fastLog(Number.NaN)).toBeNaN();
    expect(fastLog(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});
