/* eslint-disable no-loss-of-precision -- published coefficients and constants are kept with their published digits */
/**
 * W. J. Cody's rational Chebyshev approximations for erf, erfc and erfcx(x) = exp(x^2) erfc(x)
 * ("Rational Chebyshev approximations for the error function", Math. Comp. 1969, pp. 631-638;
 * CALERF, IEEE double constants). Accurate to double precision everywhere, including the tails:
 * erfc avoids cancellation for large x and erfcx avoids the exponential for x > 4.
 * The two intervals on the pricing paths are evaluated in Estrin's scheme (independent pairs of terms
 * combined by powers of the argument: the accuracy of CALERF's Horner loops, about half their latency);
 * `erfSmall` and `erfcxTail` are the two building blocks that the Black function uses directly, so
 * that it can supply the Gaussian factor itself instead of paying for exponentials.
 */

const SQRPI = 0.56418958354775628695; // 1/sqrt(pi)
/** Boundary between the small-argument interval of erf and the tail intervals of erfcx. */
export const ERF_SMALL_THRESHOLD = 0.46875;
const XINF = 1.79e308;
const XNEG = -26.628;
const XSMALL = 1.11e-16;
const XBIG = 26.543;
const XHUGE = 6.71e7;
const XMAX = 2.53e307;

/**
 * erf(x) for |x| <= 0.46875 (Cody's first interval). CALERF's cut-off of x^2 to 0 below 1.11e-16 is
 * left out: there x^2 no longer reaches the sums, so the result is the same.
 */
export function erfSmall(x: number): number {
  const z = x * x;
  const z2 = z * z;
  // Estrin's scheme: the pairs are independent, so the latency is three multiply-adds instead of four
  const xnum = (3209.37758913846947 + 377.485237685302021 * z) + z2 * ((113.864154151050156 + 3.1611237438705656 * z) +
    0.185777706184603153 * z2); // prettier-ignore
  const xden = (2844.23683343917062 + 1282.61652607737228 * z) + z2 * ((244.024637934444173 + 23.6012909523441209 * z) +
    z2); // prettier-ignore
  return (x * xnum) / xden;
}

/**
 * erfcx(y) = exp(y^2) erfc(y) for y > 0.46875 (Cody's second and third intervals; no exponential).
 * Kept small so that the optimising compiler inlines it; the rare y > 4 interval is a separate call.
 */
export function erfcxTail(y: number): number {
  if (y > 4) return erfcxLarge(y);
  const y2 = y * y;
  const y4 = y2 * y2;
  // Estrin's scheme (all coefficients positive, so no cancellation): latency of four multiply-adds
  // instead of eight
  const xnum = ((1230.33935479799725 + 2051.07837782607147 * y) + y2 * (1712.04761263407058 + 881.95222124176909 * y)) +
    y4 * (((298.635138197400131 + 66.1191906371416295 * y) + y2 * (8.88314979438837594 + 0.564188496988670089 * y)) +
    y4 * 2.15311535474403846e-8); // prettier-ignore
  const xden = ((1230.33935480374942 + 3439.36767414372164 * y) + y2 * (4362.61909014324716 + 3290.79923573345963 * y)) +
    y4 * (((1621.38957456669019 + 537.181101862009858 * y) + y2 * (117.693950891312499 + 15.7449261107098347 * y)) +
    y4); // prettier-ignore
  return xnum / xden;
}

function erfcxLarge(y: number): number {
  if (y >= XBIG) {
    if (y >= XMAX) return 0;
    if (y >= XHUGE) return SQRPI / y;
  }
  const ysq = 1 / (y * y);
  const xnum = (((((0.0163153871373020978 * ysq + 0.305326634961232344) * ysq + 0.360344899949804439) * ysq +
    0.125781726111229246) * ysq + 0.0160837851487422766) * ysq) + 6.58749161529837803e-4; // prettier-ignore
  const xden = ((((ysq + 2.56852019228982242) * ysq + 1.87295284992346047) * ysq + 0.527905102951428412) * ysq +
    0.0605183413124413191) * ysq + 0.00233520497626869185; // prettier-ignore
  return (SQRPI - (ysq * xnum) / xden) / y;
}

/**
 * exp(sign * y^2) with y^2 split exactly into hi + lo (Dekker's product): exp(sign hi) (1 + sign lo)
 * keeps the exponent's rounding error out of the result with one exponential instead of two.
 */
function expSquare(y: number, sign: 1 | -1): number {
  const hi = y * y;
  const c = 134217729 * y;
  const yh = c - (c - y);
  const yl = y - yh;
  const lo = yh * yh - hi + 2 * yh * yl + yl * yl;
  return Math.exp(sign * hi) * (1 + sign * lo);
}

export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= ERF_SMALL_THRESHOLD) return erfSmall(x);
  const tail = y >= XBIG ? 0 : expSquare(y, -1) * erfcxTail(y);
  const e = 0.5 - tail + 0.5;
  return x < 0 ? -e : e;
}

export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= ERF_SMALL_THRESHOLD) return 1 - erfSmall(x);
  const tail = y >= XBIG ? 0 : expSquare(y, -1) * erfcxTail(y);
  return x < 0 ? 2 - tail : tail;
}

/** Scaled complementary error function exp(x^2) erfc(x). */
export function erfcx(x: number): number {
  const y = Math.abs(x);
  if (y <= ERF_SMALL_THRESHOLD) return Math.exp(y > XSMALL ? y * y : 0) * (1 - erfSmall(x));
  if (x > 0) return erfcxTail(y);
  if (x < XNEG) return XINF;
  const e = expSquare(y, 1);
  return e + e - erfcxTail(y);
}
