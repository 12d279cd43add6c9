/* eslint-disable no-loss-of-precision -- published coefficients and constants are kept with their published digits */
import { erfc } from './erf';

export const ONE_OVER_SQRT_TWO = 0.7071067811865475244008443621048490392848359376887;
export const ONE_OVER_SQRT_TWO_PI = 0.3989422804014326779399460599343818684758586311649;
export const SQRT_TWO_PI = 2.50662827463100050241576528481104525300698674061;
const DBL_EPSILON = 2.220446049250313e-16;
const ASYMPTOTIC_FIRST_THRESHOLD = -10;
const ASYMPTOTIC_SECOND_THRESHOLD = -1 / Math.sqrt(DBL_EPSILON);

/** Standard normal density. */
export function normPdf(x: number): number {
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * x * x);
}

/**
 * Standard normal distribution function, accurate deep into the lower tail: Cody's erfc for z > -10,
 * else the asymptotic series Phi(z) = phi(z)/|z| [1 - 1/z^2 + 3/z^4 - ...] (Abramowitz & Stegun 26.2.12),
 * summed until the terms stop shrinking or fall below the rounding of the sum.
 */
export function normCdf(z: number): number {
  if (z > ASYMPTOTIC_FIRST_THRESHOLD) return 0.5 * erfc(-z * ONE_OVER_SQRT_TWO);
  let sum = 1;
  if (z >= ASYMPTOTIC_SECOND_THRESHOLD) {
    const zsqr = z * z;
    let i = 1;
    let g = 1;
    let lastA = Number.MAX_VALUE;
    for (;;) {
      const x = (4 * i - 3) / zsqr;
      const y = x * ((4 * i - 1) / zsqr);
      const a = g * (x - y);
      sum -= a;
      g *= y;
      i++;
      const absA = Math.abs(a);
      if (!(lastA > absA && absA >= Math.abs(sum * DBL_EPSILON))) break;
      lastA = absA;
    }
  }
  return (-normPdf(z) * sum) / z;
}

// AS241 (Wichura 1988), PPND16: inverse normal to about 1e-16 relative. The three rational functions
// are written out in Horner form (the same operations, in the same order, as the published loops).
/** |q| <= 0.425, in r = 0.180625 - q^2. */
function as241Central(r: number): number {
  // prettier-ignore
  const n = ((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608;
  // prettier-ignore
  const d = ((((((5226.495278852854561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1;
  return n / d;
}
/** r = sqrt(-ln p) - 1.6 for r < 5. */
function as241Intermediate(r: number): number {
  // prettier-ignore
  const n = ((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r + 1.42343711074968357734;
  // prettier-ignore
  const d = ((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1;
  return n / d;
}
/** r = sqrt(-ln p) - 5 beyond. */
function as241Tail(r: number): number {
  // prettier-ignore
  const n = ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r + 6.6579046435011037772;
  // prettier-ignore
  const d = ((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1;
  return n / d;
}

/** Inverse of the standard normal distribution function (AS241); -Infinity at 0, +Infinity at 1. */
export function inverseNormCdf(u: number): number {
  if (u <= 0) return Math.log(u);
  if (u >= 1) return Math.log(1 - u);
  const q = u - 0.5;
  if (Math.abs(q) <= 0.425) return q * as241Central(0.180625 - q * q);
  const r = Math.sqrt(-Math.log(q < 0 ? u : 1 - u));
  const value = r < 5 ? as241Intermediate(r - 1.6) : as241Tail(r - 5);
  return q < 0 ? -value : value;
}
