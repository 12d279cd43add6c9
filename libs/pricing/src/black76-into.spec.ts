import {
  black76,
  black76Into,
  black76Price,
  erfc,
  erfcx,
  impliedVolatility,
  impliedVolatilityOf,
  inverseNormCdf,
  newBlack76Output,
  normCdf,
} from '@exchange/pricing';
import Decimal from 'decimal.js';
import { normCdfHp } from './reference-black';

const HP = Decimal.clone({ precision: 60 });
const SQRT_2PI = HP.acos(-1).mul(2).sqrt();
const rel = (a: number, b: Decimal): number => new HP(a).minus(b).div(b).abs().toNumber();

/** Price and Greeks from the closed forms at 60 digits (inputs taken as exact doubles). */
function referenceGreeks(f: number, k: number, t: number, v: number, r: number, isCall: boolean) {
  const sqrtT = new HP(t).sqrt();
  const s = new HP(v).mul(sqrtT);
  const df = new HP(r).mul(t).neg().exp();
  const d1 = new HP(f).div(k).ln().div(s).plus(s.div(2));
  const d2 = d1.minus(s);
  const pdf = d1.mul(d1).div(-2).exp().div(SQRT_2PI);
  const theta = isCall ? 1 : -1;
  const price = df
    .mul(theta)
    .mul(new HP(f).mul(normCdfHp(d1.mul(theta))).minus(new HP(k).mul(normCdfHp(d2.mul(theta)))));
  const fPdf = df.mul(f).mul(pdf);
  return {
    price,
    delta: df.mul(theta).mul(normCdfHp(d1.mul(theta))),
    gamma: fPdf.div(new HP(f).mul(f).mul(s)),
    vega: fPdf.mul(sqrtT),
    theta: price.mul(r).minus(fPdf.mul(v).div(sqrtT.mul(2))),
    rho: price.mul(-t),
  };
}

const moneyness = [-6, -3, -1.5, -0.7, -0.3, -0.1, -0.01, 0, 0.01, 0.1, 0.3, 0.7, 1.5, 3, 6];
const days = [1, 7, 30, 182, 730];
const vols = [0.02, 0.05, 0.2, 0.6, 1.5, 3];

describe('black76Into (price and Greeks into a reusable holder)', () => {
  it('matches the 60-digit closed forms for price and every Greek, deep wings included', () => {
    const out = newBlack76Output();
    const worst = { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
    let checked = 0;
    for (const m of moneyness)
      for (const d of days)
        for (const v of vols)
          for (const isCall of [true, false]) {
            const [f, k, t, r] = [2.5, 2.5 * Math.exp(m), d / 365, 0.03];
            const ref = referenceGreeks(f, k, t, v, r, isCall);
            if (ref.price.abs().lt('1e-250') || ref.gamma.lt('1e-250')) continue;
            black76Into(out, f, k, t, v, r, isCall);
            checked++;
            for (const key of Object.keys(worst) as Array<keyof typeof worst>) {
              const refValue = ref[key];
              // theta changes sign: judge it relative to its two terms
              const scale =
                key === 'theta'
                  ? ref.price
                      .mul(r)
                      .abs()
                      .plus(ref.vega.mul(v).div(2 * t))
                  : refValue;
              const err = new HP(out[key]).minus(refValue).div(scale).abs().toNumber();
              worst[key] = Math.max(worst[key], err);
            }
          }
    expect(checked).toBeGreaterThan(600);
    // exp(-d^2/2) limits any Phi or phi to about (1 + d^2/2) ulp; these cover d^2/2 up to ~600
    for (const err of Object.values(worst)) expect(err).toBeLessThan(5e-13);
    expect(worst.price).toBeLessThan(3e-13);
  });

  it('agrees with black76 and black76Price, and reuses the same holder', () => {
    const out = newBlack76Output();
    for (const m of moneyness)
      for (const v of vols)
        for (const isCall of [false, true]) {
          const [f, k, t, r] = [3, 3 * Math.exp(m), 0.4, 0.05];
          expect(black76Into(out, f, k, t, v, r, isCall)).toBe(out);
          expect(out).toEqual(
            black76({ forward: f, strike: k, timeYears: t, volAnnual: v, rateAnnual: r, isCall }),
          );
          expect(out.price).toBe(black76Price(f, k, t, v, r, isCall));
        }
  });

  it('gives the discounted intrinsic value and its delta at zero vol or zero time', () => {
    const out = newBlack76Output();
    black76Into(out, 3, 2, 0.5, 0, 0.04, true);
    const df = Math.exp(-0.04 * 0.5);
    expect(out.price).toBeCloseTo(df * 1, 15);
    expect(out.delta).toBe(df);
    expect([out.gamma, out.vega]).toEqual([0, 0]);
    black76Into(out, 3, 2, 0, 0.5, 0.04, false);
    expect([out.price, out.delta, out.gamma, out.vega]).toEqual([0, 0, 0, 0]);
    black76Into(out, 2, 3, 0, 0.5, 0.04, false);
    expect([out.price, out.delta]).toEqual([1, -1]);
  });

  it('propagates NaN input instead of inventing a price', () => {
    expect(black76Price(3, 2, 0.5, Number.NaN, 0, true)).toBeNaN();
    expect(black76Into(newBlack76Output(), 3, Number.NaN, 0.5, 0.3, 0, true).price).toBeNaN();
  });
});

describe("Cody's erfc and erfcx after the refactoring", () => {
  it('match the 60-digit reference on both sides of every interval boundary', () => {
    const sqrt2 = new HP(2).sqrt();
    for (const x of [
      -20, -5, -4.01, -3.99, -1, -0.47, -0.46, -0.1, 0, 1e-20, 0.1, 0.46, 0.47, 1, 3.99, 4.01, 10, 26,
    ]) {
      const erfcRef = normCdfHp(new HP(x).neg().mul(sqrt2)).mul(2);
      expect(rel(erfc(x), erfcRef)).toBeLessThan(2e-14);
      const erfcxRef = erfcRef.mul(new HP(x).mul(x).exp());
      expect(rel(erfcx(x), erfcxRef)).toBeLessThan(2e-14);
    }
  });

  it('inverseNormCdf inverts normCdf', () => {
    // lower tail and centre, where Phi(z) carries full relative precision
    for (const z of [-30, -8, -3, -1, -0.3, 0.01, 0.5]) {
      expect(Math.abs(inverseNormCdf(normCdf(z)) - z)).toBeLessThan(1e-13 * Math.max(1, Math.abs(z)));
    }
  });
});

describe('impliedVolatilityOf (positional implied vol)', () => {
  it('returns exactly what impliedVolatility returns, and NaN where it gives a status', () => {
    let ok = 0;
    for (const m of [-2, -0.3, 0, 0.3, 2])
      for (const v of [0.05, 0.6, 2.5])
        for (const isCall of [true, false]) {
          const [f, k, t, r] = [2.5, 2.5 * Math.exp(m), 0.25, 0.03];
          const price = black76Price(f, k, t, v, r, isCall);
          const res = impliedVolatility({
            price,
            forward: f,
            strike: k,
            timeYears: t,
            rateAnnual: r,
            isCall,
          });
          // deep in the money at low vol the time value can round away: BELOW_INTRINSIC, NaN
          expect(impliedVolatilityOf(price, f, k, t, r, isCall)).toBe(res.volAnnual);
          if (res.status !== 'OK') expect(res.volAnnual).toBeNaN();
          else ok++;
        }
    expect(ok).toBeGreaterThan(25);
    expect(impliedVolatilityOf(0.9, 3, 2, 0.5, 0, true)).toBeNaN(); // below intrinsic
    expect(impliedVolatilityOf(3, 3, 2, 0.5, 0, true)).toBeNaN(); // above maximum
    expect(impliedVolatilityOf(1, 3, 2, 0, 0, true)).toBeNaN(); // invalid
    expect(impliedVolatilityOf(1, 3, 2, 0.5, 0, true)).toBe(0); // exactly intrinsic
  });
});

describe('implied vol over a wide random grid', () => {
  it('round-trips within 100x attainable precision for |ln(F/K)| <= 6 and 0.001 <= vol sqrt(T) <= 10', () => {
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let worst = 0;
    let solved = 0;
    for (let i = 0; i < 4000; i++) {
      const x = (rnd() - 0.5) * 2 * [0.05, 0.7, 2, 6][i % 4]!;
      const s = Math.exp(Math.log(1e-3) + rnd() * Math.log(1e4));
      const [f, k, isCall] = [2.5, 2.5 * Math.exp(-x), rnd() < 0.5];
      const price = black76Price(f, k, 1, s, 0, isCall);
      const intrinsic = Math.max((isCall ? 1 : -1) * (f - k), 0);
      if (!(price - intrinsic > 1e-12 * price) || !(price > 1e-300)) continue;
      const vega = black76({ forward: f, strike: k, timeYears: 1, volAnnual: s, rateAnnual: 0, isCall }).vega;
      const attainable = Number.EPSILON * (1 + Math.abs(price / (s * vega)));
      const vol = impliedVolatilityOf(price, f, k, 1, 0, isCall);
      worst = Math.max(worst, Math.abs(vol - s) / s / attainable);
      solved++;
    }
    expect(solved).toBeGreaterThan(2500);
    expect(worst).toBeLessThan(100);
  });
});

describe('implied vol after the one-step shortcut', () => {
  it('stays within 10x attainable precision over the benchmark grid (20,000 options, rate 3%)', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let worst = 0;
    let solved = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = (1 + rnd() * 729) / 365;
      const x = -0.7 + 1.4 * rnd();
      const v = 0.05 + 2.95 * rnd();
      const [f, k, isCall] = [2.5, 2.5 * Math.exp(-x), i % 2 === 0];
      const price = black76Price(f, k, t, v, 0.03, isCall);
      const timeValue = price * Math.exp(0.03 * t) - Math.max((isCall ? 1 : -1) * (f - k), 0);
      if (!(timeValue > 1e-12 * price)) continue;
      const vega = black76({
        forward: f,
        strike: k,
        timeYears: t,
        volAnnual: v,
        rateAnnual: 0.03,
        isCall,
      }).vega;
      const attainable = Number.EPSILON * (1 + Math.abs(price / (v * vega)));
      worst = Math.max(
        worst,
        Math.abs(impliedVolatilityOf(price, f, k, t, 0.03, isCall) - v) / v / attainable,
      );
      solved++;
    }
    expect(solved).toBeGreaterThan(19_000);
    expect(worst).toBeLessThan(10);
  });
});
