/*
 * Ported to TypeScript from Peter Jäckel's reference implementation of "Let's Be Rational".
 * Copyright © 2013-2014 Peter Jäckel. Permission to use, copy, modify, and distribute this software is
 * freely granted, provided that this notice is preserved.
 */
/**
 * Rational cubic interpolation (Delbourgo and Gregory 1985) with the control-parameter choices used by
 * Jäckel's "Let's Be Rational" for the initial guess of the implied volatility.
 */
const DBL_EPSILON = 2.220446049250313e-16;
const DBL_MIN = 2.2250738585072014e-308;
const DBL_MAX = Number.MAX_VALUE;
const MIN_CONTROL = -(1 - Math.sqrt(DBL_EPSILON));
const MAX_CONTROL = 2 / (DBL_EPSILON * DBL_EPSILON);

const isZero = (x: number): boolean => Math.abs(x) < DBL_MIN;

export function rationalCubicInterpolation(
  x: number,
  xL: number,
  xR: number,
  yL: number,
  yR: number,
  dL: number,
  dR: number,
  r: number,
): number {
  const h = xR - xL;
  if (Math.abs(h) <= 0) return 0.5 * (yL + yR);
  const t = (x - xL) / h;
  if (r < MAX_CONTROL) {
    const omt = 1 - t;
    const t2 = t * t;
    const omt2 = omt * omt;
    return (
      (yR * t2 * t + (r * yR - h * dR) * t2 * omt + (r * yL + h * dL) * t * omt2 + yL * omt2 * omt) /
      (1 + (r - 3) * t * omt)
    );
  }
  return yR * t + yL * (1 - t);
}

function minimumControl(dL: number, dR: number, s: number, preferShape: boolean): number {
  const monotonic = dL * s >= 0 && dR * s >= 0;
  const convex = dL <= s && s <= dR;
  const concave = dL >= s && s >= dR;
  if (!monotonic && !convex && !concave) return MIN_CONTROL;
  let r1 = -DBL_MAX;
  let r2 = -DBL_MAX;
  if (monotonic) {
    if (!isZero(s)) r1 = (dR + dL) / s;
    else if (preferShape) r1 = MAX_CONTROL;
  }
  if (convex || concave) {
    const sMinusDL = s - dL;
    const dRMinusS = dR - s;
    if (!(isZero(sMinusDL) || isZero(dRMinusS))) {
      r2 = Math.max(Math.abs((dR - dL) / dRMinusS), Math.abs((dR - dL) / sMinusDL));
    } else if (preferShape) r2 = MAX_CONTROL;
  } else if (monotonic && preferShape) r2 = MAX_CONTROL;
  return Math.max(MIN_CONTROL, r1, r2);
}

/** Control parameter matching a second derivative at the left end, kept convex-preserving. */
export function convexControlFitLeft(
  xL: number,
  xR: number,
  yL: number,
  yR: number,
  dL: number,
  dR: number,
  secondDerivativeL: number,
  preferShape: boolean,
): number {
  const h = xR - xL;
  const numerator = 0.5 * h * secondDerivativeL + (dR - dL);
  let r: number;
  if (isZero(numerator)) r = 0;
  else {
    const denominator = (yR - yL) / h - dL;
    if (isZero(denominator)) r = numerator > 0 ? MAX_CONTROL : MIN_CONTROL;
    else r = numerator / denominator;
  }
  return Math.max(r, minimumControl(dL, dR, (yR - yL) / h, preferShape));
}

/** Control parameter matching a second derivative at the right end, kept convex-preserving. */
export function convexControlFitRight(
  xL: number,
  xR: number,
  yL: number,
  yR: number,
  dL: number,
  dR: number,
  secondDerivativeR: number,
  preferShape: boolean,
): number {
  const h = xR - xL;
  const numerator = 0.5 * h * secondDerivativeR + (dR - dL);
  let r: number;
  if (isZero(numerator)) r = 0;
  else {
    const denominator = dR - (yR - yL) / h;
    if (isZero(denominator)) r = numerator > 0 ? MAX_CONTROL : MIN_CONTROL;
    else r = numerator / denominator;
  }
  return Math.max(r, minimumControl(dL, dR, (yR - yL) / h, preferShape));
}

/**
 * convexControlFitLeft (atLeft) or convexControlFitRight with a zero second derivative at that end and
 * no shape preference (the central branches of the implied vol's initial guess): the same arithmetic,
 * in one small function for both ends.
 */
export function flatEndControl(
  xL: number,
  xR: number,
  yL: number,
  yR: number,
  dL: number,
  dR: number,
  atLeft: boolean,
): number {
  const slope = (yR - yL) / (xR - xL);
  const numerator = dR - dL;
  let r = 0;
  if (!isZero(numerator)) {
    const denominator = atLeft ? slope - dL : dR - slope;
    r = isZero(denominator) ? (numerator > 0 ? MAX_CONTROL : MIN_CONTROL) : numerator / denominator;
  }
  return Math.max(r, minimumControl(dL, dR, slope, false));
}
