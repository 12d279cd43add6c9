import {
  black76,
  black76Price,
  black76PriceReference,
  erfc,
  erfcx,
  impliedVolatility,
  normCdf,
} from '@exchange/pricing';
import { normCdfHp } from './reference-black';
import Decimal from 'decimal.js';

const relErr = (a: number, b: Decimal): number =>
  b.isZero() ? Math.abs(a) : new Decimal(a).minus(b).div(b).abs().toNumber();

describe('erfc and normal CDF', () => {
  it('match the 60-digit reference deep in the tails', () => {
    for (const z of [-37, -30, -20, -12, -10, -8, -5, -2, -0.5, 0, 0.3, 1, 3, 6]) {
      expect(relErr(normCdf(z), normCdfHp(new Decimal(z)))).toBeLessThan(2e-14); // exp(-z^2/2) limits any Phi to ~14-15 digits (Marsaglia)
    }
  });
  it('erfc and erfcx agree with each other', () => {
    for (const x of [-3, -0.2, 0, 0.4, 1.5, 4.5, 10, 25]) {
      expect(Math.abs(erfcx(x) * Math.exp(-x * x) - erfc(x)) / erfc(x)).toBeLessThan(1e-14);
    }
  });
});

describe('Black-76', () => {
  const grid: Array<[number, number, number, number, number]> = [];
  for (const k of [50, 80, 100, 125, 200])
    for (const t of [1 / 365, 0.25, 2]) for (const v of [0.05, 0.6, 3]) grid.push([100, k, t, v, 0.03]);

  it('prices match the high-precision reference (relative 1e-13 when above 1e-250)', () => {
    for (const [f, k, t, v, r] of grid) {
      for (const isCall of [true, false]) {
        const ref = black76PriceReference(f, k, t, v, r, isCall);
        if (ref.lt('1e-250')) continue;
        expect(relErr(black76Price(f, k, t, v, r, isCall), ref)).toBeLessThan(1e-13);
      }
    }
  });

  it('Greeks match central differences of the reference price', () => {
    const [f, k, t, v, r] = [2.5, 2.8, 0.5, 0.7, 0.04];
    for (const isCall of [true, false]) {
      const g = black76({ forward: f, strike: k, timeYears: t, volAnnual: v, rateAnnual: r, isCall });
      const h = 1e-6;
      const p = (ff: number, tt: number, vv: number, rr: number) =>
        black76PriceReference(ff, k, tt, vv, rr, isCall);
      const d = (a: Decimal, b: Decimal) =>
        a
          .minus(b)
          .div(2 * h)
          .toNumber();
      expect(g.delta).toBeCloseTo(d(p(f + h, t, v, r), p(f - h, t, v, r)), 9);
      expect(g.vega).toBeCloseTo(d(p(f, t, v + h, r), p(f, t, v - h, r)), 9);
      expect(g.rho).toBeCloseTo(d(p(f, t, v, r + h), p(f, t, v, r - h)), 9);
      expect(g.theta).toBeCloseTo(-d(p(f, t + h, v, r), p(f, t - h, v, r)), 8);
      const gamma = p(f + h, t, v, r)
        .minus(p(f, t, v, r).mul(2))
        .plus(p(f - h, t, v, r))
        .div(h * h)
        .toNumber();
      expect(g.gamma).toBeCloseTo(gamma, 6);
    }
  });

  it('satisfies put-call parity C - P = DF (F - K)', () => {
    for (const [f, k, t, v, r] of grid) {
      const c = black76Price(f, k, t, v, r, true);
      const p = black76Price(f, k, t, v, r, false);
      expect(Math.abs(c - p - Math.exp(-r * t) * (f - k))).toBeLessThan(1e-12 * Math.max(f, k));
    }
  });
});

describe('implied volatility (Lets Be Rational)', () => {
  it('round-trips within 100x attainable precision over the grid, wings included', () => {
    let worst = 0;
    const days = [1, 7, 30, 91, 365, 730];
    const moneyness = [-3, -1.5, -0.5, -0.25, -0.05, 0, 0.05, 0.25, 0.5, 1.5, 3];
    const vols = [0.05, 0.1, 0.3, 0.6, 1, 2, 3];
    for (const d of days)
      for (const m of moneyness)
        for (const vol of vols)
          for (const isCall of [true, false]) {
            const t = d / 365;
            const f = 3;
            const k = f * Math.exp(m);
            const price = black76Price(f, k, t, vol, 0.02, isCall);
            const undiscounted = price * Math.exp(0.02 * t);
            const intrinsic = Math.max((isCall ? 1 : -1) * (f - k), 0);
            if (!(undiscounted - intrinsic > 1e-300 * f) || undiscounted - intrinsic < 1e-14 * undiscounted)
              continue;
            const res = impliedVolatility({
              price,
              forward: f,
              strike: k,
              timeYears: t,
              rateAnnual: 0.02,
              isCall,
            });
            expect(res.status).toBe('OK');
            const g = black76({
              forward: f,
              strike: k,
              timeYears: t,
              volAnnual: vol,
              rateAnnual: 0.02,
              isCall,
            });
            // attainable: a relative error of one ulp in the price moves vol by eps * price / (vol * vega)
            const attainable = Number.EPSILON * (1 + Math.abs(price / (vol * g.vega)));
            worst = Math.max(worst, Math.abs(res.volAnnual - vol) / vol / attainable);
          }
    expect(worst).toBeLessThan(100);
  });

  it('returns statuses for prices below intrinsic, above the maximum and bad input', () => {
    const base = { forward: 3, strike: 2, timeYears: 0.5, rateAnnual: 0, isCall: true };
    expect(impliedVolatility({ ...base, price: 0.9 }).status).toBe('BELOW_INTRINSIC');
    expect(impliedVolatility({ ...base, price: 3 }).status).toBe('ABOVE_MAXIMUM');
    expect(impliedVolatility({ ...base, price: 1, timeYears: 0 }).status).toBe('INVALID_INPUT');
    expect(impliedVolatility({ ...base, price: 1 }).volAnnual).toBe(0);
  });
});
