/*
 * Ported to TypeScript from Peter Jäckel's reference implementation of "Let's Be Rational".
 * Copyright © 2013-2014 Peter Jäckel. Permission to use, copy, modify, and distribute this software is
 * freely granted, provided that this notice is preserved.
 */
import { ERF_SMALL_THRESHOLD, erfcxTail, erfSmall } from './erf';
import { fastExp } from './fast-exp';
import { ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI, SQRT_TWO_PI } from './normal';

/**
 * The normalised Black function of Jäckel's "Let's Be Rational" (2015):
 *   b(x, s) = exp(x/2) Phi(x/s + s/2) - exp(-x/2) Phi(x/s - s/2),  x = ln(F/K), s = vol sqrt(T),
 * the undiscounted call price divided by sqrt(F K). Evaluated in three regions to keep full relative
 * precision: (I) an asymptotic expansion for h = x/s << 0, (II) a small-t expansion for t = s/2 < 0.21,
 * (III) Cody's erfc/erfcx on the two normal tails otherwise. Every region shares one Gaussian factor
 * g = exp(-(h^2 + t^2)/2) (which is also sqrt(2 pi) times the vega), so that a caller evaluating
 * price and vega together, or price and Greeks, pays for one exponential.
 */

const DBL_EPSILON = 2.220446049250313e-16;
const SQRT_DBL_MIN = Math.sqrt(2.2250738585072014e-308);
const FOURTH_ROOT_DBL_EPSILON = Math.sqrt(Math.sqrt(DBL_EPSILON));
const SIXTEENTH_ROOT_DBL_EPSILON = Math.sqrt(Math.sqrt(FOURTH_ROOT_DBL_EPSILON));
const ASYMPTOTIC_THRESHOLD = -10;
/** Region II (small-t expansion) is used below t = s/2 = 2 DBL_EPSILON^(1/16) ~ 0.21. */
export const SMALL_T_THRESHOLD = 2 * SIXTEENTH_ROOT_DBL_EPSILON;

/** Normalised intrinsic value of a call (theta = 1) or put (theta = -1), with a series near x = 0. */
export function normalisedIntrinsic(x: number, theta: number): number {
  if (theta * x <= 0) return 0;
  const x2 = x * x;
  if (x2 < 98 * FOURTH_ROOT_DBL_EPSILON) {
    const v = theta * x * (1 + x2 * (1 / 24 + x2 * (1 / 1920 + x2 * (1 / 322560 + x2 / 92897280))));
    return Math.abs(Math.max(v, 0));
  }
  const bMax = Math.exp(0.5 * x);
  return Math.abs(Math.max(theta * (bMax - 1 / bMax), 0));
}

/** Region I: 17th-order expansion of (r/t)[Y(h+t) - Y(h-t)] in q = (h/r)^2, e = (t/h)^2. */
export function asymptoticExpansion(h: number, t: number, g: number): number {
  const e = (t / h) * (t / h);
  const r = (h + t) * (h - t);
  const q = (h / r) * (h / r);
  // prettier-ignore
  const sum = (2.0 + q * (-6.0e0 - 2.0 * e + 3.0 * q * (1.0e1 + e * (2.0e1 + 2.0 * e) + 5.0 * q * (-1.4e1 + e * (-7.0e1 + e * (-4.2e1 - 2.0 * e)) + 7.0 * q * (1.8e1 + e * (1.68e2 + e * (2.52e2 + e * (7.2e1 + 2.0 * e))) + 9.0 * q * (-2.2e1 + e * (-3.3e2 + e * (-9.24e2 + e * (-6.6e2 + e * (-1.1e2 - 2.0 * e)))) + 1.1e1 * q * (2.6e1 + e * (5.72e2 + e * (2.574e3 + e * (3.432e3 + e * (1.43e3 + e * (1.56e2 + 2.0 * e))))) + 1.3e1 * q * (-3.0e1 + e * (-9.1e2 + e * (-6.006e3 + e * (-1.287e4 + e * (-1.001e4 + e * (-2.73e3 + e * (-2.1e2 - 2.0 * e)))))) + 1.5e1 * q * (3.4e1 + e * (1.36e3 + e * (1.2376e4 + e * (3.8896e4 + e * (4.862e4 + e * (2.4752e4 + e * (4.76e3 + e * (2.72e2 + 2.0 * e))))))) + 1.7e1 * q * (-3.8e1 + e * (-1.938e3 + e * (-2.3256e4 + e * (-1.00776e5 + e * (-1.84756e5 + e * (-1.51164e5 + e * (-5.4264e4 + e * (-7.752e3 + e * (-3.42e2 - 2.0 * e)))))))) + 1.9e1 * q * (4.2e1 + e * (2.66e3 + e * (4.0698e4 + e * (2.3256e5 + e * (5.8786e5 + e * (7.05432e5 + e * (4.0698e5 + e * (1.08528e5 + e * (1.197e4 + e * (4.2e2 + 2.0 * e))))))))) + 2.1e1 * q * (-4.6e1 + e * (-3.542e3 + e * (-6.7298e4 + e * (-4.90314e5 + e * (-1.63438e6 + e * (-2.704156e6 + e * (-2.288132e6 + e * (-9.80628e5 + e * (-2.01894e5 + e * (-1.771e4 + e * (-5.06e2 - 2.0 * e)))))))))) + 2.3e1 * q * (5.0e1 + e * (4.6e3 + e * (1.0626e5 + e * (9.614e5 + e * (4.08595e6 + e * (8.9148e6 + e * (1.04006e7 + e * (6.53752e6 + e * (2.16315e6 + e * (3.542e5 + e * (2.53e4 + e * (6.0e2 + 2.0 * e))))))))))) + 2.5e1 * q * (-5.4e1 + e * (-5.85e3 + e * (-1.6146e5 + e * (-1.77606e6 + e * (-9.37365e6 + e * (-2.607579e7 + e * (-4.01166e7 + e * (-3.476772e7 + e * (-1.687257e7 + e * (-4.44015e6 + e * (-5.9202e5 + e * (-3.51e4 + e * (-7.02e2 - 2.0 * e)))))))))))) + 2.7e1 * q * (5.8e1 + e * (7.308e3 + e * (2.3751e5 + e * (3.12156e6 + e * (2.003001e7 + e * (6.919458e7 + e * (1.3572783e8 + e * (1.5511752e8 + e * (1.0379187e8 + e * (4.006002e7 + e * (8.58429e6 + e * (9.5004e5 + e * (4.7502e4 + e * (8.12e2 + 2.0 * e))))))))))))) + 2.9e1 * q * (-6.2e1 + e * (-8.99e3 + e * (-3.39822e5 + e * (-5.25915e6 + e * (-4.032015e7 + e * (-1.6934463e8 + e * (-4.1250615e8 + e * (-6.0108039e8 + e * (-5.3036505e8 + e * (-2.8224105e8 + e * (-8.870433e7 + e * (-1.577745e7 + e * (-1.472562e6 + e * (-6.293e4 + e * (-9.3e2 - 2.0 * e)))))))))))))) + 3.1e1 * q * (6.6e1 + e * (1.0912e4 + e * (4.74672e5 + e * (8.544096e6 + e * (7.71342e7 + e * (3.8707344e8 + e * (1.14633288e9 + e * (2.07431664e9 + e * (2.33360622e9 + e * (1.6376184e9 + e * (7.0963464e8 + e * (1.8512208e8 + e * (2.7768312e7 + e * (2.215136e6 + e * (8.184e4 + e * (1.056e3 + 2.0 * e))))))))))))))) + 3.3e1 * (-7.0e1 + e * (-1.309e4 + e * (-6.49264e5 + e * (-1.344904e7 + e * (-1.4121492e8 + e * (-8.344518e8 + e * (-2.9526756e9 + e * (-6.49588632e9 + e * (-9.0751353e9 + e * (-8.1198579e9 + e * (-4.6399188e9 + e * (-1.6689036e9 + e * (-3.67158792e8 + e * (-4.707164e7 + e * (-3.24632e6 + e * (-1.0472e5 + e * (-1.19e3 - 2.0 * e))))))))))))))))) * q)))))))))))))))));
  const b = ONE_OVER_SQRT_TWO_PI * g * (t / r) * sum;
  return Math.abs(Math.max(b, 0));
}

/**
 * Region II: 12th-order expansion of Y(h+t) - Y(h-t) in t, with a = 1 + h Y(h) (the divisions by the
 * factorials are multiplications by their reciprocals: every term after `a` is a correction of
 * relative size w = t^2 < 0.045, so the extra rounding does not reach the result).
 */
export function smallTExpansion(h: number, t: number, g: number): number {
  // erfcx(y), y = -h/sqrt(2) >= 0, as erfcx() computes it, with the inlined exponential
  const y = -ONE_OVER_SQRT_TWO * h;
  const ex2 = y > ERF_SMALL_THRESHOLD ? erfcxTail(y) : fastExp(y * y) * (1 - erfSmall(y));
  const a = 1 + h * (0.5 * SQRT_TWO_PI) * ex2;
  const w = t * t;
  const h2 = h * h;
  // prettier-ignore
  const expansion = 2 * t * (a + w * ((-1 + 3 * a + a * h2) * INV_3F + w * ((-7 + 15 * a + h2 * (-1 + 10 * a + a * h2)) * INV_5F + w * ((-57 + 105 * a + h2 * (-18 + 105 * a + h2 * (-1 + 21 * a + a * h2))) * INV_7F + w * ((-561 + 945 * a + h2 * (-285 + 1260 * a + h2 * (-33 + 378 * a + h2 * (-1 + 36 * a + a * h2)))) * INV_9F + w * ((-6555 + 10395 * a + h2 * (-4680 + 17325 * a + h2 * (-840 + 6930 * a + h2 * (-52 + 990 * a + h2 * (-1 + 55 * a + a * h2))))) * INV_11F + (-89055 + 135135 * a + h2 * (-82845 + 270270 * a + h2 * (-20370 + 135135 * a + h2 * (-1926 + 25740 * a + h2 * (-75 + 2145 * a + h2 * (-1 + 78 * a + a * h2)))))) * w * INV_13F))))));
  const b = ONE_OVER_SQRT_TWO_PI * g * expansion;
  return Math.abs(Math.max(b, 0));
}
const INV_3F = 1 / 6;
const INV_5F = 1 / 120;
const INV_7F = 1 / 5040;
const INV_9F = 1 / 362880;
const INV_11F = 1 / 39916800;
const INV_13F = 1 / 6227020800;

/**
 * c Phi(-sqrt(2) y) for y >= 0, where c exp(-y^2) = g: 0.5 g erfcx(y) in Cody's tail intervals (no
 * exponential), 0.5 c (1 - erf(y)) in the small interval.
 */
export function scaledNormalTail(y: number, g: number, c: number): number {
  return y > ERF_SMALL_THRESHOLD ? 0.5 * g * erfcxTail(y) : 0.5 * c * (1 - erfSmall(y));
}

/**
 * Region III with d1,2 = h +- t: a1 = exp(x/2) Phi(-|d1|) and a2 = exp(-x/2) Phi(d2) share the factor g
 * (exp(-d1^2/2) = g / exp(x/2), exp(-d2^2/2) = g exp(x/2)); then b = a1 - a2 for d1 <= 0 and
 * b = exp(x/2) - a1 - a2 for d1 > 0 (no cancellation near b_max, no exponential beyond g).
 */
function usingNormalTails(h: number, t: number, ex: number, g: number): number {
  const d1 = h + t;
  const y1 = Math.abs(d1) * ONE_OVER_SQRT_TWO;
  const y2 = (t - h) * ONE_OVER_SQRT_TWO;
  // scaledNormalTail written out: one layer less for the optimising compiler's inlining budget
  const a1 = y1 > ERF_SMALL_THRESHOLD ? 0.5 * g * erfcxTail(y1) : 0.5 * ex * (1 - erfSmall(y1));
  const a2 = y2 > ERF_SMALL_THRESHOLD ? 0.5 * g * erfcxTail(y2) : (0.5 * (1 - erfSmall(y2))) / ex;
  const b = d1 <= 0 ? a1 - a2 : ex - a1 - a2;
  return b < 0 ? 0 : b;
}

/**
 * b(x, s) of an out-of-the-money call (x <= 0, s > 0) given ex = exp(x/2) (= b_max) and
 * g = exp(-(h^2 + t^2)/2) with h = x/s, t = s/2; the vega is g / sqrt(2 pi).
 */
export function normalisedBlackOtm(x: number, s: number, ex: number, g: number): number {
  const h = x / s;
  const t = 0.5 * s;
  if (isAsymptoticRegion(x, s)) return asymptoticExpansion(h, t, g);
  if (t < SMALL_T_THRESHOLD) return smallTExpansion(h, t, g);
  return usingNormalTails(h, t, ex, g);
}

/** Whether b(x, s) (x <= 0, s > 0) is evaluated by the asymptotic expansion (region I). */
export const isAsymptoticRegion = (x: number, s: number): boolean =>
  x < s * ASYMPTOTIC_THRESHOLD && 0.5 * s * s + x < s * (SMALL_T_THRESHOLD + ASYMPTOTIC_THRESHOLD);

/** Whether normalisedBlackOtm(x, s, ...) evaluates region III (the two normal tails). */
export const usesNormalTails = (x: number, s: number): boolean =>
  !isAsymptoticRegion(x, s) && 0.5 * s >= SMALL_T_THRESHOLD;

/** Normalised Black call b(x, s); puts via b(-x, s) (reciprocal-strike symmetry). */
export function normalisedBlackCall(x: number, s: number): number {
  if (x > 0) return normalisedIntrinsic(x, 1) + normalisedBlackCall(-x, s);
  if (s <= 0) return normalisedIntrinsic(x, 1);
  const h = x / s;
  const t = 0.5 * s;
  return normalisedBlackOtm(x, s, Math.exp(0.5 * x), Math.exp(-0.5 * (h * h + t * t)));
}

/** d b / d s = phi(x/s + s/2) exp(x/2)... written as exp(-(x/s)^2/2 - (s/2)^2/2) / sqrt(2 pi). */
export function normalisedVega(x: number, s: number): number {
  const ax = Math.abs(x);
  if (ax <= 0) return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.125 * s * s);
  if (s <= 0 || s <= ax * SQRT_DBL_MIN) return 0;
  const h = x / s;
  const t = 0.5 * s;
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
}
