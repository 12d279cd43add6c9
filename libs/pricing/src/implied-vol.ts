/* eslint-disable no-loss-of-precision -- published coefficients and constants are kept with their published digits */
/*
 * Ported to TypeScript from Peter Jäckel's reference implementation of "Let's Be Rational".
 * Copyright © 2013-2014 Peter Jäckel. Permission to use, copy, modify, and distribute this software is
 * freely granted, provided that this notice is preserved.
 */
import { inverseNormCdf, normCdf, normPdf } from './normal';
import { normalisedBlackCall, normalisedIntrinsic, normalisedVega } from './normalised-black';
import { convexControlFitLeft, convexControlFitRight, rationalCubicInterpolation } from './rational-cubic';

/**
 * Implied volatility by Peter Jäckel's "Let's Be Rational" (Wilmott 2015): the price is normalised to
 * beta = b(x, s) with x = ln(F/K), s = vol sqrt(T), mapped to an out-of-the-money call; the initial
 * guess comes from rational cubic interpolations over four branches of beta (split at b_l, b_c, b_h),
 * the two outer ones in transformed coordinates (f_lower, f_upper maps); then two third-order
 * Householder steps on an objective chosen per branch (1/ln b in the lowest, ln(b_max - b) in the
 * highest, b itself in between) give attainable double precision.
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

interface Start {
  s: number;
  sLeft: number;
  sRight: number;
  objective: Objective;
}

const householderFactor = (newton: number, halley: number, hh3: number): number =>
  (1 + 0.5 * halley * newton) / (1 + newton * (halley + (hh3 * newton) / 6));

function fLowerMap(x: number, s: number): [number, number, number] {
  const ax = Math.abs(x);
  const z = (SQRT_ONE_OVER_THREE * ax) / s;
  const y = z * z;
  const s2 = s * s;
  const Phi = normCdf(-z);
  const phi = normPdf(z);
  const fpp =
    ((PI_OVER_SIX * y) / (s2 * s)) *
    Phi *
    (8 * SQRT_THREE * s * ax + ((3 * s2 * (s2 - 8) - 8 * x * x) * Phi) / phi) *
    Math.exp(2 * y + 0.25 * s2);
  const Phi2 = Phi * Phi;
  const fp = TWO_PI * y * Phi2 * Math.exp(y + 0.125 * s * s);
  const f = TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax * (Phi2 * Phi);
  return [f, fp, fpp];
}

function fUpperMap(x: number, s: number): [number, number, number] {
  const f = normCdf(-0.5 * s);
  if (x === 0) return [f, -0.5, 0];
  const w = (x / s) * (x / s);
  return [f, -0.5 * Math.exp(0.5 * w), (SQRT_PI_OVER_TWO * Math.exp(w + 0.125 * s * s) * w) / s];
}

const inverseFLowerMap = (x: number, f: number): number =>
  f === 0
    ? 0
    : Math.abs(
        x / (SQRT_THREE * inverseNormCdf(Math.pow(f / (TWO_PI_OVER_SQRT_TWENTY_SEVEN * Math.abs(x)), 1 / 3))),
      );

/** The rational initial guess of the lowest branch (beta < b_l). */
function lowerGuess(beta: number, x: number, sL: number, bL: number): number {
  const [fL, dfL, d2fL] = fLowerMap(x, sL);
  const r = convexControlFitRight(0, bL, 0, fL, 1, dfL, d2fL, true);
  let f = rationalCubicInterpolation(beta, 0, bL, 0, fL, 1, dfL, r);
  if (!(f > 0)) {
    const t = beta / bL;
    f = (fL * t + bL * (1 - t)) * t;
  }
  return inverseFLowerMap(x, f);
}

/** The rational initial guess of the highest branch (beta > b_h). */
function upperGuess(beta: number, x: number, sH: number, bH: number, bMax: number): number {
  const [fH, dfH, d2fH] = fUpperMap(x, sH);
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

function initialGuess(beta: number, x: number, bMax: number): Start {
  const sC = Math.sqrt(Math.abs(2 * x));
  const bC = normalisedBlackCall(x, sC);
  const vC = normalisedVega(x, sC);
  if (beta < bC) {
    const sL = sC - bC / vC;
    const bL = normalisedBlackCall(x, sL);
    if (beta < bL)
      return { s: lowerGuess(beta, x, sL, bL), sLeft: DBL_MIN, sRight: sL, objective: Objective.Lower };
    const vL = normalisedVega(x, sL);
    const r = convexControlFitRight(bL, bC, sL, sC, 1 / vL, 1 / vC, 0, false);
    const s = rationalCubicInterpolation(beta, bL, bC, sL, sC, 1 / vL, 1 / vC, r);
    return { s, sLeft: sL, sRight: sC, objective: Objective.Middle };
  }
  const sH = vC > DBL_MIN ? sC + (bMax - bC) / vC : sC;
  const bH = normalisedBlackCall(x, sH);
  if (beta <= bH) {
    const vH = normalisedVega(x, sH);
    const r = convexControlFitLeft(bC, bH, sC, sH, 1 / vC, 1 / vH, 0, false);
    const s = rationalCubicInterpolation(beta, bC, bH, sC, sH, 1 / vC, 1 / vH, r);
    return { s, sLeft: sC, sRight: sH, objective: Objective.Middle };
  }
  const s = upperGuess(beta, x, sH, bH, bMax);
  return { s, sLeft: sH, sRight: DBL_MAX, objective: beta > 0.5 * bMax ? Objective.Upper : Objective.Middle };
}

/** One Householder(3) step ds for the branch's objective; NaN means "bisect instead". */
function householderStep(
  objective: Objective,
  beta: number,
  x: number,
  s: number,
  bMax: number,
): [number, number] {
  const b = normalisedBlackCall(x, s);
  const bp = normalisedVega(x, s);
  const h = x / s;
  const bHalley = (h * h) / s - s / 4;
  const bHh3 = bHalley * bHalley - 3 * (h / s) * (h / s) - 0.25;
  if (objective === Objective.Middle) {
    const newton = (beta - b) / bp;
    return [b, newton * householderFactor(newton, bHalley, bHh3)];
  }
  if (objective === Objective.Lower) {
    if (b <= 0 || bp <= 0) return [b, Number.NaN];
    const lnB = Math.log(b);
    const lnBeta = Math.log(beta);
    const bpob = bp / b;
    const newton = ((lnBeta - lnB) * lnB) / lnBeta / bpob;
    const halley = bHalley - bpob * (1 + 2 / lnB);
    const hh3 = bHh3 + 2 * bpob * bpob * (1 + (3 / lnB) * (1 + 1 / lnB)) - 3 * bHalley * bpob * (1 + 2 / lnB);
    return [b, newton * householderFactor(newton, halley, hh3)];
  }
  if (b >= bMax || bp <= DBL_MIN) return [b, Number.NaN];
  const bMaxMinusB = bMax - b;
  const g = Math.log((bMax - beta) / bMaxMinusB);
  const gp = bp / bMaxMinusB;
  const newton = -g / gp;
  const hh3 = bHh3 + gp * (2 * gp + 3 * bHalley);
  return [b, newton * householderFactor(newton, bHalley + gp, hh3)];
}

/** s such that b(x, s) = beta for an out-of-the-money call (x <= 0), 0 < beta < exp(x/2). */
function solveNormalised(beta: number, x: number, bMax: number): number {
  const start = initialGuess(beta, x, bMax);
  let { s, sLeft, sRight } = start;
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
    const [b, step] = householderStep(start.objective, beta, x, s, bMax);
    if (b > beta && s < sRight) sRight = s;
    else if (b < beta && s > sLeft) sLeft = s;
    ds = Number.isNaN(step) ? 0.5 * (sLeft + sRight) - s : step;
    ds = Math.max(-0.5 * s, ds);
    s += ds;
  }
  return s;
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

/**
 * Black-76 implied volatility. Statuses: BELOW_INTRINSIC when the undiscounted price is below
 * max(theta (F - K), 0), ABOVE_MAXIMUM when it reaches F (call) or K (put), INVALID_INPUT for
 * non-positive F, K, T or non-finite numbers. A price exactly at intrinsic gives vol 0.
 */
export function impliedVolatility(input: ImpliedVolInput): ImpliedVolResult {
  const { price, forward, strike, timeYears, rateAnnual, isCall } = input;
  if (!(forward > 0 && strike > 0 && timeYears > 0 && Number.isFinite(price) && Number.isFinite(rateAnnual)))
    return { status: 'INVALID_INPUT', volAnnual: Number.NaN };
  if (!(
    forward < Number.POSITIVE_INFINITY &&
    strike < Number.POSITIVE_INFINITY &&
    timeYears < Number.POSITIVE_INFINITY
  ))
    return { status: 'INVALID_INPUT', volAnnual: Number.NaN };
  const undiscounted = price * Math.exp(rateAnnual * timeYears);
  const theta = isCall ? 1 : -1;
  const intrinsic = Math.max(theta * (forward - strike), 0);
  if (undiscounted < intrinsic) return { status: 'BELOW_INTRINSIC', volAnnual: Number.NaN };
  if (undiscounted >= (isCall ? forward : strike)) return { status: 'ABOVE_MAXIMUM', volAnnual: Number.NaN };
  const x = Math.log(forward / strike);
  let beta: number;
  let q: 1 | -1 = theta;
  if (q * x > 0) {
    beta = Math.max(undiscounted - intrinsic, 0) / (Math.sqrt(forward) * Math.sqrt(strike));
    q = -q as 1 | -1;
  } else beta = undiscounted / (Math.sqrt(forward) * Math.sqrt(strike));
  const s = normalisedImpliedVol(beta, x, q);
  if (s === Number.POSITIVE_INFINITY) return { status: 'ABOVE_MAXIMUM', volAnnual: Number.NaN };
  return { status: 'OK', volAnnual: s / Math.sqrt(timeYears) };
}
