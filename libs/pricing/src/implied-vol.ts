/* eslint-disable no-loss-of-precision -- published coefficients and constants are kept with their published digits */
/*
 * Ported to TypeScript from Peter Jäckel's reference implementation of "Let's Be Rational".
 * Copyright © 2013-2014 Peter Jäckel. Permission to use, copy, modify, and distribute this software is
 * freely granted, provided that this notice is preserved.
 */
import { ERF_SMALL_THRESHOLD, erfcxTail, erfSmall } from './erf';
import { fastExp } from './fast-exp';
import { fastLog } from './fast-log';
import { inverseNormCdf, normCdf, ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI, SQRT_TWO_PI } from './normal';
import {
  normalisedBlackOtm,
  normalisedIntrinsic,
  scaledNormalTail,
  usesNormalTails,
} from './normalised-black';
import {
  convexControlFitLeft,
  convexControlFitRight,
  flatEndControl,
  rationalCubicInterpolation,
} from './rational-cubic';

/**
 * Implied volatility by Peter Jäckel's "Let's Be Rational" (Wilmott 2015): the price is normalised to
 * beta = b(x, s) with x = ln(F/K), s = vol sqrt(T), mapped to an out-of-the-money call; the initial
 * guess comes from rational cubic interpolations over four branches of beta (split at b_l, b_c, b_h),
 * the two outer ones in transformed coordinates (f_lower, f_upper maps); then at most two Householder
 * steps on an objective chosen per branch (third order on 1/ln b in the lowest and on ln(b_max - b) in
 * the highest, fourth order on b itself in between) give attainable double precision; the second step
 * only when the first was not already small enough.
 */

const DBL_EPSILON = 2.220446049250313e-16;
const DBL_MIN = 2.2250738585072014e-308;
const DBL_MAX = Number.MAX_VALUE;
const SQRT_DBL_MAX = Math.sqrt(DBL_MAX);
const SQRT_THREE = 1.7320508075688772935;
const SQRT_ONE_OVER_THREE = 0.57735026918962576451;
const TWO_PI = 6.283185307179586477;
const SQRT_PI_OVER_TWO = 1.2533141373155002512;
const TWO_PI_OVER_SQRT_TWENTY_SEVEN = 1.2091995761561452337;
const PI_OVER_SIX = 0.52359877559829887308;
const MAX_ITERATIONS = 2;
/**
 * After a first step of relative size at most this, the second is skipped: the remaining error is
 * within a few units of attainable precision. The central branches step with Householder(4) (order
 * five: the error after a step of relative size d is of order d^5), the outer ones with Householder(3)
 * (order four). Measured on random options (20,000 with |ln(F/K)| <= 0.7, 100,000 each with <= 3 and
 * <= 6; vol 0.05..3, T up to two years) and on the spec grids: at most 6.5 times attainable with these
 * bounds (15 times with 2e-3 for the central one).
 */
const ONE_STEP_ENOUGH_MIDDLE = 1.5e-3;
const ONE_STEP_ENOUGH_OUTER = 1e-4;

export type ImpliedVolStatus = 'OK' | 'BELOW_INTRINSIC' | 'ABOVE_MAXIMUM' | 'INVALID_INPUT';
export interface ImpliedVolResult {
  readonly status: ImpliedVolStatus;
  /** Annualised implied volatility; NaN unless status is OK. */
  readonly volAnnual: number;
}

const enum Objective {
  Lower = 0,
  Middle = 1,
  Upper = 2,
}

const householderFactor = (newton: number, halley: number, hh3: number): number =>
  (1 + 0.5 * halley * newton) / (1 + newton * (halley + (hh3 * newton) / 6));

/**
 * exp(-(h^2 + t^2)/2) for h = x/s, t = s/2: sqrt(2 pi) times the normalised vega at s. The initial guess
 * uses the runtime's exponential (once per solve) and leaves the inlining budget to the iteration.
 */
function gaussAt(x: number, s: number): number {
  const h = x / s;
  const t = 0.5 * s;
  return fastExp(-0.5 * (h * h + t * t));
}

const inverseFLowerMap = (x: number, f: number): number =>
  f === 0
    ? 0
    : Math.abs(
        x / (SQRT_THREE * inverseNormCdf(Math.cbrt(f / (TWO_PI_OVER_SQRT_TWENTY_SEVEN * Math.abs(x))))),
      );

/**
 * The rational initial guess of the lowest branch (beta < b_l), from the map
 * f(s) = 2 pi |x| Phi(-z)^3 / sqrt(27), z = |x| / (sqrt(3) s), and its first two derivatives at s_l.
 * Phi(-z) and Phi(-z)/phi(z) share Cody's erfcx, and exp(2y + s^2/4) = exp(y + s^2/8)^2 (y = z^2).
 */
function lowerGuess(beta: number, x: number, sL: number, bL: number): number {
  const ax = Math.abs(x);
  const z = (SQRT_ONE_OVER_THREE * ax) / sL;
  const y = z * z;
  const s2 = sL * sL;
  const u = z * ONE_OVER_SQRT_TWO;
  let Phi: number;
  let PhiOverPhi: number; // Phi(-z) / phi(z)
  if (u > ERF_SMALL_THRESHOLD) {
    const e = erfcxTail(u);
    Phi = 0.5 * fastExp(-0.5 * y) * e;
    PhiOverPhi = 0.5 * SQRT_TWO_PI * e;
  } else {
    Phi = 0.5 * (1 - erfSmall(u));
    PhiOverPhi = SQRT_TWO_PI * Phi * fastExp(0.5 * y);
  }
  const growth = fastExp(y + 0.125 * s2);
  const fpp =
    ((PI_OVER_SIX * y) / (s2 * sL)) *
    Phi *
    (8 * SQRT_THREE * sL * ax + (3 * s2 * (s2 - 8) - 8 * x * x) * PhiOverPhi) *
    (growth * growth);
  const Phi2 = Phi * Phi;
  const fp = TWO_PI * y * Phi2 * growth;
  const fL = TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax * (Phi2 * Phi);
  const r = convexControlFitRight(0, bL, 0, fL, 1, fp, fpp, true);
  let f = rationalCubicInterpolation(beta, 0, bL, 0, fL, 1, fp, r);
  if (!(f > 0)) {
    const t = beta / bL;
    f = (fL * t + bL * (1 - t)) * t;
  }
  return inverseFLowerMap(x, f);
}

/**
 * The rational initial guess of the highest branch (beta > b_h), from the map f(s) = Phi(-s/2) and its
 * derivatives in beta at s_h: f' = -exp(w/2)/2, f'' = sqrt(pi/2) exp(w + s^2/8) w / s, w = (x/s)^2.
 */
function upperGuess(beta: number, x: number, sH: number, bH: number, bMax: number): number {
  const fH = normCdf(-0.5 * sH);
  let dfH = -0.5;
  let d2fH = 0;
  if (x !== 0) {
    const w = (x / sH) * (x / sH);
    const e = fastExp(0.5 * w);
    dfH = -0.5 * e;
    d2fH = (SQRT_PI_OVER_TWO * (e * e) * fastExp(0.125 * sH * sH) * w) / sH;
  }
  let f = -1;
  if (d2fH > -SQRT_DBL_MAX && d2fH < SQRT_DBL_MAX) {
    const r = convexControlFitLeft(bH, bMax, fH, 0, dfH, -0.5, d2fH, true);
    f = rationalCubicInterpolation(beta, bH, bMax, fH, 0, dfH, -0.5, r);
  }
  if (!(f > 0)) {
    const h = bMax - bH;
    const t = (beta - bH) / h;
    f = (fH * (1 - t) + 0.5 * h * t) * (1 - t);
  }
  return -2 * inverseNormCdf(f);
}

/** The bracket [sLeft, sRight] and the objective (as a number) that initialGuess chose. */
const guessBracket = new Float64Array(3);

/**
 * The initial guess of s for an out-of-the-money call (x <= 0, 0 < beta < b_max = exp(x/2)); writes
 * the bracket and objective into guessBracket. At s_c = sqrt(2|x|) the Gaussian factor equals b_max, so
 * b(x, s_c) and the vega there need no exponential; one more evaluation, at s_l (beta < b_c) or s_h,
 * picks the branch. Its own function (called once per solve), so that the optimising compiler inlines
 * the evaluation and the interpolation here and the Householder loop's callees in solveNormalised.
 */
function initialGuess(beta: number, x: number, bMax: number): number {
  const sC = Math.sqrt(-2 * x);
  // at s_c, h = -t: d1 = 0 and d2 = -s_c, so b = b_max/2 - exp(x/2) Phi(-s_c), one tail (Cody's erfcx at sqrt|x|)
  let bC = 0;
  if (sC > 0)
    bC = usesNormalTails(x, sC)
      ? 0.5 * bMax - scaledNormalTail(Math.sqrt(-x), bMax, 1 / bMax)
      : normalisedBlackOtm(x, sC, bMax, bMax);
  const vC = ONE_OVER_SQRT_TWO_PI * bMax;
  const below = beta < bC;
  // s_l below b_c, s_h above: one evaluation site, so that it is compiled (and inlined) once
  const sO = below ? sC - bC / vC : vC > DBL_MIN ? sC + (bMax - bC) / vC : sC;
  const gO = gaussAt(x, sO);
  const bO = normalisedBlackOtm(x, sO, bMax, gO);
  if (below ? beta < bO : beta > bO) {
    if (below) {
      guessBracket[0] = DBL_MIN;
      guessBracket[1] = sO;
      guessBracket[2] = Objective.Lower;
      return lowerGuess(beta, x, sO, bO);
    }
    guessBracket[0] = sO;
    guessBracket[1] = DBL_MAX;
    guessBracket[2] = beta > 0.5 * bMax ? Objective.Upper : Objective.Middle;
    return upperGuess(beta, x, sO, bO, bMax);
  }
  // the central branches: s(b) interpolated between (b_l, s_l) and (b_c, s_c), or (b_c, s_c) and (b_h, s_h)
  const dO = 1 / (ONE_OVER_SQRT_TWO_PI * gO);
  const dC = 1 / vC;
  const bLeft = below ? bO : bC;
  const bRight = below ? bC : bO;
  const sLeft = below ? sO : sC;
  const sRight = below ? sC : sO;
  const dLeft = below ? dO : dC;
  const dRight = below ? dC : dO;
  const r = flatEndControl(bLeft, bRight, sLeft, sRight, dLeft, dRight, !below);
  guessBracket[0] = sLeft;
  guessBracket[1] = sRight;
  guessBracket[2] = Objective.Middle;
  return rationalCubicInterpolation(beta, bLeft, bRight, sLeft, sRight, dLeft, dRight, r);
}

/**
 * s such that b(x, s) = beta for an out-of-the-money call (x <= 0, 0 < beta < b_max = exp(x/2)):
 * Householder steps from initialGuess, each evaluating b and its vega with one shared exponential.
 */
function solveNormalised(beta: number, x: number, bMax: number): number {
  let s = initialGuess(beta, x, bMax);
  let sLeft = guessBracket[0]!;
  let sRight = guessBracket[1]!;
  const objective = guessBracket[2]! as Objective;
  const lnBeta = objective === Objective.Lower ? Math.log(beta) : 0;
  const oneStepEnough = objective === Objective.Middle ? ONE_STEP_ENOUGH_MIDDLE : ONE_STEP_ENOUGH_OUTER;
  let ds = -DBL_MAX;
  let dsPrevious = 0;
  let reversals = 0;
  for (let i = 0; i < MAX_ITERATIONS && Math.abs(ds) > DBL_EPSILON * s; i++) {
    if (ds * dsPrevious < 0) reversals++;
    if (i > 0 && (reversals === 3 || !(s > sLeft && s < sRight))) {
      s = 0.5 * (sLeft + sRight);
      if (sRight - sLeft <= DBL_EPSILON * s) break;
      reversals = 0;
      ds = 0;
    }
    dsPrevious = ds;
    const h = x / s; // as normalisedBlackOtm computes it, so that g matches b exactly
    const hOverS = h * (1 / s);
    const g = fastExp(-0.5 * (h * h + 0.25 * s * s));
    const b = normalisedBlackOtm(x, s, bMax, g);
    const bp = ONE_OVER_SQRT_TWO_PI * g;
    if (b > beta && s < sRight) sRight = s;
    else if (b < beta && s > sLeft) sLeft = s;
    // one Householder step on the branch's objective (order five on b, order four on the outer
    // objectives); NaN means "bisect instead"
    const bHalley = h * hOverS - 0.25 * s;
    const bHh3 = bHalley * bHalley - 3 * hOverS * hOverS - 0.25;
    let step: number;
    if (objective === Objective.Middle) {
      const newton = (beta - b) / bp;
      step = newton * householder4Factor(newton, bHalley, bHh3, hOverS, s);
    } else if (objective === Objective.Lower) {
      step = lowerStep(lnBeta, b, bp, bHalley, bHh3);
    } else step = upperStep(beta, b, bp, bMax, bHalley, bHh3);
    ds = Number.isNaN(step) ? 0.5 * (sLeft + sRight) - s : step;
    ds = Math.max(-0.5 * s, ds);
    s += ds;
    if (Math.abs(ds) <= oneStepEnough * s) break;
  }
  return s;
}

/**
 * The Householder(4) factor on b itself (order five): the root of the [1/3] Pade approximant of
 * b(s) - beta, step = n (1 + 2 g2 n + g3 n^2) / (1 + 3 g2 n + (g2^2 + 2 g3) n^2 + g4 n^3) with
 * g_k = b^(k) / (k! b'). With ln b' = -x^2/(2 s^2) - s^2/8 + const: b''/b' = x^2/s^3 - s/4 (bHalley),
 * b'''/b' = bHalley^2 - 3 x^2/s^4 - 1/4 (bHh3),
 * b''''/b' = 12 x^2/s^5 + bHalley (3 (bHh3 - bHalley^2) + bHalley^2).
 */
function householder4Factor(
  newton: number,
  bHalley: number,
  bHh3: number,
  hOverS: number,
  s: number,
): number {
  const g2 = 0.5 * bHalley;
  const g3 = bHh3 * (1 / 6);
  const h2 = bHalley * bHalley;
  const g4 = ((12 * (hOverS * hOverS)) / s + bHalley * (3 * (bHh3 - h2) + h2)) * (1 / 24);
  return (
    (1 + newton * (2 * g2 + newton * g3)) /
    (1 + newton * (3 * g2 + newton * (g2 * g2 + 2 * g3 + newton * g4)))
  );
}

/** Householder(3) step for the objective 1/ln(b) of the lowest branch. */
function lowerStep(lnBeta: number, b: number, bp: number, bHalley: number, bHh3: number): number {
  if (b <= 0 || bp <= 0) return Number.NaN;
  const lnB = Math.log(b);
  const bpob = bp / b;
  const newton = ((lnBeta - lnB) * lnB) / lnBeta / bpob;
  const halley = bHalley - bpob * (1 + 2 / lnB);
  const hh3 = bHh3 + 2 * bpob * bpob * (1 + (3 / lnB) * (1 + 1 / lnB)) - 3 * bHalley * bpob * (1 + 2 / lnB);
  return newton * householderFactor(newton, halley, hh3);
}

/** Householder(3) step for the objective ln(b_max - b) of the highest branch. */
function upperStep(beta: number, b: number, bp: number, bMax: number, bHalley: number, bHh3: number): number {
  if (b >= bMax || bp <= DBL_MIN) return Number.NaN;
  const bMaxMinusB = bMax - b;
  const g = Math.log((bMax - beta) / bMaxMinusB);
  const gp = bp / bMaxMinusB;
  const newton = -g / gp;
  const hh3 = bHh3 + gp * (2 * gp + 3 * bHalley);
  return newton * householderFactor(newton, bHalley + gp, hh3);
}

/** Normalised implied vol s = vol sqrt(T) from beta = undiscounted price / sqrt(F K), theta = +1 call / -1 put. */
export function normalisedImpliedVol(beta: number, x: number, theta: 1 | -1): number {
  let q = theta;
  let b = beta;
  if (q * x > 0) {
    b = Math.abs(Math.max(b - normalisedIntrinsic(x, q), 0));
    q = -q as 1 | -1;
  }
  const xCall = q < 0 ? -x : x;
  if (!(b > 0)) return 0;
  const bMax = Math.exp(0.5 * xCall);
  if (b >= bMax) return Number.POSITIVE_INFINITY;
  return solveNormalised(b, xCall, bMax);
}

export interface ImpliedVolInput {
  /** Option price (discounted, as quoted). */
  readonly price: number;
  readonly forward: number;
  readonly strike: number;
  readonly timeYears: number;
  /** Continuously compounded rate for the discount factor exp(-rate T); may be 0. */
  readonly rateAnnual: number;
  readonly isCall: boolean;
}

// Internal status codes of solveImplied (negative, so that any result >= 0 is a volatility)
const INVALID_INPUT = -1;
const BELOW_INTRINSIC = -2;
const ABOVE_MAXIMUM = -3;
const STATUS_OF_CODE: Record<number, ImpliedVolStatus> = {
  [INVALID_INPUT]: 'INVALID_INPUT',
  [BELOW_INTRINSIC]: 'BELOW_INTRINSIC',
  [ABOVE_MAXIMUM]: 'ABOVE_MAXIMUM',
};

/** The implied volatility (>= 0) or a negative status code. */
function solveImplied(
  price: number,
  forward: number,
  strike: number,
  timeYears: number,
  rateAnnual: number,
  isCall: boolean,
): number {
  if (!(forward > 0 && strike > 0 && timeYears > 0 && Number.isFinite(price) && Number.isFinite(rateAnnual)))
    return INVALID_INPUT;
  if (!(forward < Infinity && strike < Infinity && timeYears < Infinity)) return INVALID_INPUT;
  const undiscounted = price * fastExp(rateAnnual * timeYears);
  const theta = isCall ? 1 : -1;
  const intrinsic = Math.max(theta * (forward - strike), 0);
  if (undiscounted < intrinsic) return BELOW_INTRINSIC;
  if (undiscounted >= (isCall ? forward : strike)) return ABOVE_MAXIMUM;
  const sqrtF = Math.sqrt(forward);
  const sqrtK = Math.sqrt(strike);
  const x = fastLog(forward / strike);
  // the out-of-the-money call of the same normalised price: x -> -|x|, in-the-money options less intrinsic
  const beta = (theta * x > 0 ? Math.max(undiscounted - intrinsic, 0) : undiscounted) / (sqrtF * sqrtK);
  if (!(beta > 0)) return 0;
  const bMax = sqrtF < sqrtK ? sqrtF / sqrtK : sqrtK / sqrtF; // exp(-|x|/2)
  if (beta >= bMax) return ABOVE_MAXIMUM;
  return solveNormalised(beta, -Math.abs(x), bMax) / Math.sqrt(timeYears);
}

/**
 * Black-76 implied volatility. Statuses: BELOW_INTRINSIC when the undiscounted price is below
 * max(theta (F - K), 0), ABOVE_MAXIMUM when it reaches F (call) or K (put), INVALID_INPUT for
 * non-positive F, K, T or non-finite numbers. A price exactly at intrinsic gives vol 0.
 */
export function impliedVolatility(input: ImpliedVolInput): ImpliedVolResult {
  const { price, forward, strike, timeYears, rateAnnual, isCall } = input;
  const v = solveImplied(price, forward, strike, timeYears, rateAnnual, isCall);
  return v >= 0 ? { status: 'OK', volAnnual: v } : { status: STATUS_OF_CODE[v]!, volAnnual: Number.NaN };
}

/**
 * The same implied volatility from positional arguments, allocating nothing: the volatility when
 * impliedVolatility would say OK, NaN otherwise (ask impliedVolatility for the status).
 */
export function impliedVolatilityOf(
  price: number,
  forward: number,
  strike: number,
  timeYears: number,
  rateAnnual: number,
  isCall: boolean,
): number {
  const v = solveImplied(price, forward, strike, timeYears, rateAnnual, isCall);
  return v >= 0 ? v : Number.NaN;
}
