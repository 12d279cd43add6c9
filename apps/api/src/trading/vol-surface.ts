import { ticksToPrice } from '@exchange/domain';
import {
  SviSurface,
  calibrateSviSlice,
  enforceCalendar,
  impliedVolatility,
  type SviSliceFit,
} from '@exchange/pricing';
import type { VolSliceView, VolSurfaceView } from '@exchange/client';

const YEAR_MS = 365 * 24 * 3_600_000;

/** An option book as the surface reads it: its terms and the best bid and ask (ticks; 0: none). */
export interface OptionQuote {
  underlying: string;
  strike: string;
  isCall: boolean;
  expiryMs: number;
  tickSize: string;
  bidTicks: number;
  askTicks: number;
}

/** A future's mark, the forward of its options. */
export interface ForwardMark {
  markTicks: number;
  tickSize: string;
}

interface Slice {
  underlying: string;
  expiryMs: number;
  forward: number;
  t: number;
  ks: number[];
  vols: number[];
  strikes: Set<string>;
  fit?: SviSliceFit;
}

/**
 * The volatility surface of a compute class, built as the engine's mark feed builds it: the implied
 * vol (Let's Be Rational, rate 0) of each option book's mid at its future's mark, one SVI slice per
 * expiry with at least five such quotes (quasi-explicit fit, butterfly repair), calendar-repaired
 * across expiries; the grid is the surface's vol at each listed strike (what the options' marks use).
 * A pure function of its inputs: `nowMs` is the valuation time.
 */
export function volSurface(
  computeClass: string,
  options: readonly OptionQuote[],
  forwards: ReadonlyMap<string, ForwardMark>,
  nowMs: number,
): VolSurfaceView {
  const slices = new Map<string, Slice>();
  for (const o of options) {
    const fwd = forwards.get(o.underlying);
    if (fwd === undefined || fwd.markTicks <= 0) continue;
    const forward = fwd.markTicks * Number(fwd.tickSize);
    const t = (o.expiryMs - nowMs) / YEAR_MS;
    let s = slices.get(o.underlying);
    if (s === undefined) {
      s = {
        underlying: o.underlying,
        expiryMs: o.expiryMs,
        forward,
        t,
        ks: [],
        vols: [],
        strikes: new Set(),
      };
      slices.set(o.underlying, s);
    }
    s.strikes.add(o.strike);
    if (!(t > 0) || o.bidTicks <= 0 || o.askTicks <= 0) continue;
    const mid = ((o.bidTicks + o.askTicks) / 2) * Number(o.tickSize);
    const strike = Number(o.strike);
    const iv = impliedVolatility({
      price: mid,
      forward,
      strike,
      timeYears: t,
      rateAnnual: 0,
      isCall: o.isCall,
    });
    if (iv.status !== 'OK') continue;
    s.ks.push(Math.log(strike / forward));
    s.vols.push(iv.volAnnual);
  }
  const ordered = [...slices.values()].sort((x, y) => x.t - y.t || (x.underlying < y.underlying ? -1 : 1));
  const fitted: Slice[] = [];
  for (const s of ordered) {
    s.fit = calibrateSviSlice(s.ks, s.vols, s.t);
    if (s.fit.status === 'OK' || s.fit.status === 'REPAIRED') fitted.push(s);
  }
  // the parameters the surface uses: after the calendar repair (input sorted by time, so order is kept)
  const repaired = enforceCalendar(fitted.map((s) => s.fit!)).slices;
  fitted.forEach((s, i) => (s.fit = repaired[i]));
  const surface = fitted.length > 0 ? new SviSurface(repaired) : undefined;
  return { computeClass, asOfMs: nowMs, slices: ordered.map((s) => sliceView(s, forwards, surface)) };
}

function sliceView(s: Slice, forwards: ReadonlyMap<string, ForwardMark>, surface?: SviSurface): VolSliceView {
  const fwd = forwards.get(s.underlying)!;
  const fit = s.fit!;
  const usable = fit.status !== 'INSUFFICIENT_DATA';
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    underlying: s.underlying,
    expiryMs: s.expiryMs,
    forward: ticksToPrice(fwd.markTicks, fwd.tickSize),
    timeYears: s.t,
    quotes: s.ks.length,
    status: fit.status,
    params: usable ? { ...fit.params } : null,
    rmseTotalVariance: usable ? finite(fit.rmseTotalVariance) : null,
    grid: [...s.strikes]
      .sort((a, b) => Number(a) - Number(b))
      .map((strike) => {
        const k = Math.log(Number(strike) / s.forward);
        return {
          strike,
          logMoneyness: k,
          vol: surface === undefined ? null : finite(surface.volAnnual(k, s.t)),
        };
      }),
  };
}
