import { normCdf, normPdf } from './normal';
import { normalisedBlackCall } from './normalised-black';

/**
 * Black-76 for European options on GPU-hour futures (float64 internally; convert at the edges).
 * V = DF [theta (F Phi(theta d1) - K Phi(theta d2))], d1,2 = ln(F/K)/s +- s/2, s = vol sqrt(T),
 * DF = exp(-rate T). The price uses the normalised Black function (V = DF sqrt(F K) b(theta x, s)),
 * which keeps full relative precision for far out-of-the-money options.
 * Greeks: delta = dV/dF, gamma = d2V/dF2, vega = dV/dvol, theta = -dV/dT (per year, calendar decay),
 * rho = dV/drate (futures options: only the discount factor depends on the rate, so rho = -T V).
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
  const x = Math.log(forward / strike);
  return df * Math.sqrt(forward) * Math.sqrt(strike) * normalisedBlackCall(isCall ? x : -x, s);
}

/** Price and first-order Greeks (plus gamma) in one pass. */
export function black76(input: Black76Input): Black76Greeks {
  const { forward, strike, timeYears, volAnnual, rateAnnual, isCall } = input;
  const df = Math.exp(-rateAnnual * timeYears);
  const sqrtT = Math.sqrt(timeYears);
  const s = volAnnual * sqrtT;
  const x = Math.log(forward / strike);
  const price = df * Math.sqrt(forward) * Math.sqrt(strike) * normalisedBlackCall(isCall ? x : -x, s);
  if (!(s > 0)) {
    const itm = isCall ? forward > strike : forward < strike;
    const delta = itm ? (isCall ? df : -df) : 0;
    return { price, delta, gamma: 0, vega: 0, theta: rateAnnual * price, rho: -timeYears * price };
  }
  const d1 = x / s + 0.5 * s;
  const pdf = normPdf(d1);
  const delta = isCall ? df * normCdf(d1) : -df * normCdf(-d1);
  const gamma = (df * pdf) / (forward * s);
  const vega = df * forward * pdf * sqrtT;
  const theta = rateAnnual * price - (df * forward * pdf * volAnnual) / (2 * sqrtT);
  return { price, delta, gamma, vega, theta, rho: -timeYears * price };
}
