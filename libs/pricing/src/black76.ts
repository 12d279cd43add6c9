import { ERF_SMALL_THRESHOLD, erfcxTail, erfSmall } from './erf';
import { ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI } from './normal';
import {
  asymptoticExpansion,
  isAsymptoticRegion,
  normalisedBlackOtm,
  scaledNormalTail,
  smallTExpansion,
  usesNormalTails,
} from './normalised-black';

/**
 * Black-76 for European options on GPU-hour futures (float64 internally; convert at the edges).
 * V = DF [theta (F Phi(theta d1) - K Phi(theta d2))], d1,2 = ln(F/K)/s +- s/2, s = vol sqrt(T),
 * DF = exp(-rate T). The price uses the normalised Black function of the out-of-the-money side,
 * V = DF (intrinsic + sqrt(F K) b(-|x|, s)), which keeps full relative precision for far
 * out-of-the-money options; the intrinsic part theta (F - K) is taken exactly from F and K.
 * Greeks: delta = dV/dF, gamma = d2V/dF2, vega = dV/dvol, theta = -dV/dT (per year, calendar decay),
 * rho = dV/drate (futures options: only the discount factor depends on the rate, so rho = -T V).
 * One pass shares its sub-expressions: sqrt(F), sqrt(K), g = exp(-(h^2 + t^2)/2) (h = -|x|/s, t = s/2)
 * gives F phi(d1) = sqrt(F K) g / sqrt(2 pi) for gamma, vega and theta, and the normal tail that delta
 * needs uses the same g (Cody's erfcx, no further exponential).
 */
export interface Black76Input {
  readonly forward: number;
  readonly strike: number;
  readonly timeYears: number;
  readonly volAnnual: number;
  /** Continuously compounded rate of the discount factor; may be 0. */
  readonly rateAnnual: number;
  readonly isCall: boolean;
}

export interface Black76Greeks {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
  readonly rho: number;
}

/** A reusable, writable holder for price and Greeks (see black76Into). */
export type Black76Output = { -readonly [K in keyof Black76Greeks]: number };

export const newBlack76Output = (): Black76Output => ({
  price: 0,
  delta: 0,
  gamma: 0,
  vega: 0,
  theta: 0,
  rho: 0,
});

/** Phi(-|d|) given gauss = exp(-d^2/2) (Cody's erf or erfcx; no exponential). */
function lowerNormalTail(d: number, gauss: number): number {
  const y = Math.abs(d) * ONE_OVER_SQRT_TWO;
  return y <= ERF_SMALL_THRESHOLD ? 0.5 * (1 - erfSmall(y)) : 0.5 * gauss * erfcxTail(y);
}

/** exp(-|x|/2) from sqrt(F) and sqrt(K), x = ln(F/K). */
const otmRatio = (sqrtF: number, sqrtK: number): number => (sqrtF < sqrtK ? sqrtF / sqrtK : sqrtK / sqrtF);

/** Black-76 price; at T = 0 or vol = 0 the discounted intrinsic value. */
export function black76Price(
  forward: number,
  strike: number,
  timeYears: number,
  volAnnual: number,
  rateAnnual: number,
  isCall: boolean,
): number {
  const df = Math.exp(-rateAnnual * timeYears);
  const s = volAnnual * Math.sqrt(timeYears);
  const diff = isCall ? forward - strike : strike - forward;
  const intrinsic = diff > 0 ? diff : 0;
  if (s <= 0) return df * intrinsic;
  const sqrtF = Math.sqrt(forward);
  const sqrtK = Math.sqrt(strike);
  const xo = -Math.abs(Math.log(forward / strike));
  const h = xo / s;
  const t = 0.5 * s;
  const b = normalisedBlackOtm(xo, s, otmRatio(sqrtF, sqrtK), Math.exp(-0.5 * (h * h + t * t)));
  return df * (intrinsic + sqrtF * sqrtK * b);
}

/**
 * Price and Greeks written into `out` (no allocation; reuse one holder across calls). Returns `out`.
 */
export function black76Into(
  out: Black76Output,
  forward: number,
  strike: number,
  timeYears: number,
  volAnnual: number,
  rateAnnual: number,
  isCall: boolean,
): Black76Output {
  const df = Math.exp(-rateAnnual * timeYears);
  const sqrtT = Math.sqrt(timeYears);
  const s = volAnnual * sqrtT;
  const diff = isCall ? forward - strike : strike - forward;
  const intrinsic = diff > 0 ? diff : 0;
  if (s <= 0) {
    const price = df * intrinsic;
    out.price = price;
    out.delta = diff > 0 ? (isCall ? df : -df) : 0;
    out.gamma = 0;
    out.vega = 0;
    out.theta = rateAnnual * price;
    out.rho = -timeYears * price;
    return out;
  }
  const sqrtF = Math.sqrt(forward);
  const sqrtK = Math.sqrt(strike);
  const x = Math.log(forward / strike);
  const xo = x > 0 ? -x : x;
  const h = xo / s;
  const t = 0.5 * s;
  const g = Math.exp(-0.5 * (h * h + t * t));
  const ex = otmRatio(sqrtF, sqrtK);
  const rootFK = sqrtF * sqrtK;
  // b(xo, s) of the out-of-the-money call; delta needs Phi of one of its legs: d1 = h + t when x <= 0,
  // else d2 = h - t (calls: df Phi(d1) | df (1 - Phi(d2)); puts: -df (1 - Phi(d1)) | -df Phi(d2))
  let b: number;
  let lowerTail: number; // Phi(-|d|) of that leg
  const d = x <= 0 ? h + t : h - t;
  if (!usesNormalTails(xo, s)) {
    b = isAsymptoticRegion(xo, s) ? asymptoticExpansion(h, t, g) : smallTExpansion(h, t, g);
    // exp(-d^2/2) is g / ex for d = h + t and g ex for d = h - t
    lowerTail = lowerNormalTail(d, x > 0 ? g * ex : ex > 0 ? g / ex : Math.exp(-0.5 * d * d));
  } else {
    const d1 = h + t;
    const a1 = scaledNormalTail(Math.abs(d1) * ONE_OVER_SQRT_TWO, g, ex); // ex Phi(-|d1|)
    const a2 = scaledNormalTail((t - h) * ONE_OVER_SQRT_TWO, g, 1 / ex); // Phi(d2) / ex
    b = d1 <= 0 ? a1 - a2 : ex - a1 - a2;
    if (b < 0) b = 0;
    lowerTail = x > 0 ? a2 * ex : ex > 0 ? a1 / ex : lowerNormalTail(d, Math.exp(-0.5 * d * d));
  }
  const price = df * (intrinsic + rootFK * b);
  const arg = isCall === x > 0 ? -d : d; // the wanted probability is Phi(arg)
  const p = arg <= 0 ? lowerTail : 1 - lowerTail;
  const pdfTerm = df * rootFK * g * ONE_OVER_SQRT_TWO_PI; // df F phi(d1)
  out.price = price;
  out.delta = isCall ? df * p : -df * p;
  out.gamma = pdfTerm / (forward * forward * s);
  out.vega = pdfTerm * sqrtT;
  out.theta = rateAnnual * price - (pdfTerm * volAnnual) / (2 * sqrtT);
  out.rho = -timeYears * price;
  return out;
}

/** Price and first-order Greeks (plus gamma) in one pass, as a new object. */
export function black76(input: Black76Input): Black76Greeks {
  const { forward, strike, timeYears, volAnnual, rateAnnual, isCall } = input;
  return black76Into(newBlack76Output(), forward, strike, timeYears, volAnnual, rateAnnual, isCall);
}
