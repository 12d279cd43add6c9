/* eslint-disable no-loss-of-precision -- Cody's coefficients are kept with their published digits */
import { fastExp } from './fast-exp';
import { fastLog } from './fast-log';
import { ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI } from './normal';
import { ERF_SMALL_THRESHOLD, erfcxTail, erfSmall } from './erf';
import {
  asymptoticExpansion,
  isAsymptoticRegion,
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

const priceScratch = newBlack76Output();

/** Black-76 price; at T = 0 or vol = 0 the discounted intrinsic value (the price of black76Into). */
export function black76Price(
  forward: number,
  strike: number,
  timeYears: number,
  volAnnual: number,
  rateAnnual: number,
  isCall: boolean,
): number {
  return black76Into(priceScratch, forward, strike, timeYears, volAnnual, rateAnnual, isCall).price;
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
  // the runtime's exponential for the discount factor (off the critical path): the table exponential
  // here would take the inlining budget that the logarithm and the normal tails need (Node 24)
  const df = Math.exp(-rateAnnual * timeYears);
  const sqrtT = Math.sqrt(timeYears);
  const s = volAnnual * sqrtT;
  const diff = isCall ? forward - strike : strike - forward;
  const intrinsic = diff > 0 ? diff : 0;
  if (s <= 0) return intrinsicInto(out, df, diff, timeYears, rateAnnual, isCall);
  const sqrtF = Math.sqrt(forward);
  const sqrtK = Math.sqrt(strike);
  const x = fastLog(forward / strike);
  const itmCall = x > 0; // the out-of-the-money side is the put when F > K
  const xo = itmCall ? -x : x;
  const h = xo / s;
  const t = 0.5 * s;
  const g = fastExp(-0.5 * (h * h + t * t));
  const lo = itmCall ? sqrtK : sqrtF;
  const hi = itmCall ? sqrtF : sqrtK;
  const ex = lo / hi; // exp(xo/2)
  const invEx = hi / lo;
  // b(xo, s) of the out-of-the-money call; delta needs Phi of one of its legs: d1 = h + t when x <= 0,
  // else d2 = h - t (calls: df Phi(d1) | df (1 - Phi(d2)); puts: -df (1 - Phi(d1)) | -df Phi(d2))
  const d1 = h + t;
  const d = itmCall ? h - t : d1;
  let b: number;
  let lowerTail: number; // Phi(-|d|) of that leg
  if (usesNormalTails(xo, s)) {
    // region III written out (see normalisedBlackOtm), keeping both legs for delta
    const y1 = Math.abs(d1) * ONE_OVER_SQRT_TWO;
    const y2 = (t - h) * ONE_OVER_SQRT_TWO;
    // erfcxTail (erf.ts) written out for both legs, the same Estrin form: as two calls it no longer fits
    // the optimising compiler's inlining budget here beside the exponential and the logarithm, and the
    // calls cost about 6% of a price (measured)
    const p1 = y1 * y1;
    const q1 = p1 * p1;
    const p2 = y2 * y2;
    const q2 = p2 * p2;
    const e1 = y1 > 4 ? erfcxTail(y1) : ((1230.33935479799725 + 2051.07837782607147 * y1) + p1 * (1712.04761263407058 + 881.95222124176909 * y1) +
        q1 * (((298.635138197400131 + 66.1191906371416295 * y1) + p1 * (8.88314979438837594 + 0.564188496988670089 * y1)) +
        q1 * 2.15311535474403846e-8)) / ((1230.33935480374942 + 3439.36767414372164 * y1) + p1 * (4362.61909014324716 +
        3290.79923573345963 * y1) + q1 * (((1621.38957456669019 + 537.181101862009858 * y1) + p1 * (117.693950891312499 +
        15.7449261107098347 * y1)) + q1)); // prettier-ignore
    const e2 = y2 > 4 ? erfcxTail(y2) : ((1230.33935479799725 + 2051.07837782607147 * y2) + p2 * (1712.04761263407058 + 881.95222124176909 * y2) +
        q2 * (((298.635138197400131 + 66.1191906371416295 * y2) + p2 * (8.88314979438837594 + 0.564188496988670089 * y2)) +
        q2 * 2.15311535474403846e-8)) / ((1230.33935480374942 + 3439.36767414372164 * y2) + p2 * (4362.61909014324716 +
        3290.79923573345963 * y2) + q2 * (((1621.38957456669019 + 537.181101862009858 * y2) + p2 * (117.693950891312499 +
        15.7449261107098347 * y2)) + q2)); // prettier-ignore
    const a1 = y1 > ERF_SMALL_THRESHOLD ? 0.5 * g * e1 : 0.5 * ex * (1 - erfSmall(y1)); // ex Phi(-|d1|)
    const a2 = y2 > ERF_SMALL_THRESHOLD ? 0.5 * g * e2 : 0.5 * invEx * (1 - erfSmall(y2)); // Phi(d2)/ex
    b = d1 <= 0 ? a1 - a2 : ex - a1 - a2;
    if (b < 0) b = 0;
    lowerTail = itmCall ? a2 * ex : a1 * invEx;
  } else {
    b = isAsymptoticRegion(xo, s) ? asymptoticExpansion(h, t, g) : smallTExpansion(h, t, g);
    // exp(-d^2/2) is g / ex for d = h + t and g ex for d = h - t
    const y = Math.abs(d) * ONE_OVER_SQRT_TWO;
    lowerTail =
      y > ERF_SMALL_THRESHOLD ? 0.5 * (itmCall ? g * ex : g * invEx) * erfcxTail(y) : 0.5 * (1 - erfSmall(y));
  }
  const rootFK = sqrtF * sqrtK;
  const price = df * (intrinsic + rootFK * b);
  const p = (isCall === itmCall ? -d : d) <= 0 ? lowerTail : 1 - lowerTail; // Phi of the wanted argument
  const pdfTerm = df * rootFK * g * ONE_OVER_SQRT_TWO_PI; // df F phi(d1)
  out.price = price;
  out.delta = isCall ? df * p : -df * p;
  out.gamma = pdfTerm / (forward * forward * s);
  out.vega = pdfTerm * sqrtT;
  out.theta = rateAnnual * price - (0.5 * pdfTerm * (volAnnual * volAnnual)) / s; // vol / sqrt(T) = vol^2 / s
  out.rho = -timeYears * price;
  return out;
}

/** Price and Greeks at zero vol or zero time: the discounted intrinsic value. */
function intrinsicInto(
  out: Black76Output,
  df: number,
  diff: number,
  timeYears: number,
  rateAnnual: number,
  isCall: boolean,
): Black76Output {
  const price = diff > 0 ? df * diff : 0;
  out.price = price;
  out.delta = diff > 0 ? (isCall ? df : -df) : 0;
  out.gamma = 0;
  out.vega = 0;
  out.theta = rateAnnual * price;
  out.rho = -timeYears * price;
  return out;
}

/** Price and first-order Greeks (plus gamma) in one pass, as a new object. */
export function black76(input: Black76Input): Black76Greeks {
  const { forward, strike, timeYears, volAnnual, rateAnnual, isCall } = input;
  return black76Into(newBlack76Output(), forward, strike, timeYears, volAnnual, rateAnnual, isCall);
}
