import { black76Price } from './black76';
import { nelderMead2 } from './nelder-mead';
import {
  paramsFromInner,
  SVI_CHECK_GRID,
  sviButterflyMin,
  sviCoordinates,
  type SviInner,
  sviInnerSolve,
  type SviParams,
  sviTotalVariance,
} from './svi';

export type SviFitStatus = 'OK' | 'REPAIRED' | 'ARBITRAGE_REMAINS' | 'INSUFFICIENT_DATA';

export interface SviSliceFit {
  readonly status: SviFitStatus;
  readonly params: SviParams;
  readonly timeYears: number;
  /** Root mean square error in total variance. */
  readonly rmseTotalVariance: number;
  /** Minimum of g(k) on the check grid (>= 0: no butterfly arbitrage). */
  readonly butterflyMin: number;
}

const NM_ITERATIONS = 200;
const NM_TOLERANCE = 1e-12;
const REPAIR_PENALTY = 1e3;

function fitOnce(ks: readonly number[], ws: readonly number[], penalty: number, startM: number) {
  const n = ks.length;
  const span = Math.max(ks[n - 1]! - ks[0]!, 0.05);
  let wMax = 0;
  for (let i = 0; i < n; i++) wMax = Math.max(wMax, ws[i]!);
  // one scratch for every evaluation of the outer objective: no allocation per (m, sigma)
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  const inner: SviInner = { a: 0, d: 0, c: 0, sse: 0 };
  const solve = (m: number, sigma: number) => {
    sviCoordinates(ks, n, m, sigma, y, z);
    return sviInnerSolve(y, z, ws, n, sigma, wMax, inner);
  };
  const objective = (m: number, lnSigma: number) => {
    const sigma = Math.exp(lnSigma);
    const sse = solve(m, sigma).sse;
    if (!(penalty > 0)) return sse;
    const g = sviButterflyMin(paramsFromInner(inner, m, sigma));
    return g < 0 ? sse + penalty * (g * g + 1e-6) : sse;
  };
  const best = nelderMead2(
    objective,
    [startM, Math.log(0.1 * span + 0.01)],
    [0.1 * span, 0.5],
    NM_ITERATIONS,
    NM_TOLERANCE,
  );
  const sigma = Math.exp(best.y);
  return paramsFromInner(solve(best.x, sigma), best.x, sigma);
}

/**
 * Calibrates one expiry from implied vols at log-moneyness ks (sorted or not). Butterfly repair: when
 * g(k) < 0 somewhere on the check grid, the fit is redone with a penalty on min g in the outer
 * objective (REPAIRED); if arbitrage remains the status says so and the params are still returned.
 */
export function calibrateSviSlice(
  logMoneyness: readonly number[],
  volsAnnual: readonly number[],
  timeYears: number,
): SviSliceFit {
  const n = Math.min(logMoneyness.length, volsAnnual.length);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => logMoneyness[i]! - logMoneyness[j]!);
  const ks = order.map((i) => logMoneyness[i]!);
  const ws = order.map((i) => volsAnnual[i]! * volsAnnual[i]! * timeYears);
  const flat: SviParams = { a: 0, b: 0, rho: 0, m: 0, sigma: 0.1 };
  if (n < 5 || !(timeYears > 0)) {
    return {
      status: 'INSUFFICIENT_DATA',
      params: flat,
      timeYears,
      rmseTotalVariance: Number.NaN,
      butterflyMin: Number.NaN,
    };
  }
  let minIndex = 0;
  for (let i = 1; i < n; i++) if (ws[i]! < ws[minIndex]!) minIndex = i;
  let params = fitOnce(ks, ws, 0, ks[minIndex]!);
  let status: SviFitStatus = 'OK';
  let g = sviButterflyMin(params);
  if (g < 0) {
    params = fitOnce(ks, ws, REPAIR_PENALTY, ks[minIndex]!);
    g = sviButterflyMin(params);
    status = g < 0 ? 'ARBITRAGE_REMAINS' : 'REPAIRED';
  }
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (sviTotalVariance(params, ks[i]!) - ws[i]!) ** 2;
  return { status, params, timeYears, rmseTotalVariance: Math.sqrt(sse / n), butterflyMin: g };
}

/** Largest shortfall max_k (w_prev(k) - w_next(k)) over the grid; <= 0 means no calendar arbitrage. */
export function calendarViolation(
  prev: SviParams,
  next: SviParams,
  grid: readonly number[] = SVI_CHECK_GRID,
): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (const k of grid) worst = Math.max(worst, sviTotalVariance(prev, k) - sviTotalVariance(next, k));
  return worst;
}

/**
 * Calendar check and repair across expiries (sorted by time): total variance must not decrease with
 * expiry at any k. A violating later slice is lifted by raising its `a` by the worst shortfall (a
 * parallel shift of w, which leaves w', w'' unchanged and only raises w, keeping g's sign in
 * practice; butterfly is re-checked and reported). Returns the repaired slices and how many changed.
 */
export function enforceCalendar(slices: readonly SviSliceFit[]): { slices: SviSliceFit[]; repaired: number } {
  const sorted = [...slices].sort((p, q) => p.timeYears - q.timeYears);
  const out: SviSliceFit[] = [];
  let repaired = 0;
  for (const slice of sorted) {
    const prev = out[out.length - 1];
    const shortfall = prev === undefined ? 0 : calendarViolation(prev.params, slice.params);
    if (shortfall > 0) {
      const params = { ...slice.params, a: slice.params.a + shortfall };
      const g = sviButterflyMin(params);
      out.push({ ...slice, params, butterflyMin: g, status: g < 0 ? 'ARBITRAGE_REMAINS' : 'REPAIRED' });
      repaired++;
    } else out.push(slice);
  }
  return { slices: out, repaired };
}

/**
 * A volatility surface of calibrated SVI slices. Between expiries total variance is interpolated
 * linearly in time at fixed log-moneyness (which preserves the calendar condition); before the first
 * expiry and after the last, the nearest slice's implied vol is used.
 */
export class SviSurface {
  private readonly slices: SviSliceFit[];

  constructor(slices: readonly SviSliceFit[]) {
    this.slices = enforceCalendar(slices).slices;
  }

  volAnnual(logMoneyness: number, timeYears: number): number {
    const s = this.slices;
    if (s.length === 0 || !(timeYears > 0)) return Number.NaN;
    const first = s[0]!;
    const last = s[s.length - 1]!;
    if (timeYears <= first.timeYears)
      return Math.sqrt(sviTotalVariance(first.params, logMoneyness) / first.timeYears);
    if (timeYears >= last.timeYears)
      return Math.sqrt(sviTotalVariance(last.params, logMoneyness) / last.timeYears);
    let i = 1;
    while (s[i]!.timeYears < timeYears) i++;
    const lo = s[i - 1]!;
    const hi = s[i]!;
    const u = (timeYears - lo.timeYears) / (hi.timeYears - lo.timeYears);
    const w =
      (1 - u) * sviTotalVariance(lo.params, logMoneyness) + u * sviTotalVariance(hi.params, logMoneyness);
    return Math.sqrt(w / timeYears);
  }

  /** Marks an option: (strike, expiry) -> vol -> Black-76 price. */
  markOption(forward: number, strike: number, timeYears: number, rateAnnual: number, isCall: boolean) {
    const volAnnual = this.volAnnual(Math.log(strike / forward), timeYears);
    return { volAnnual, price: black76Price(forward, strike, timeYears, volAnnual, rateAnnual, isCall) };
  }
}
