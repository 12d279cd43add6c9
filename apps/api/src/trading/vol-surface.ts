import { ticksToPrice } from '@exchange/domain';
import {
  calibrateSviSlice,
  fitVolSurface,
  type OptionMid,
  type SurfaceSlice,
  type SviSurface,
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

interface Expiry {
  underlying: string;
  expiryMs: number;
  forward: number;
  t: number;
  strikes: Set<string>;
}

/**
 * The volatility surface of a compute class, as the engine's mark feed builds it (libs/pricing
 * fitVolSurface over the option books' mids at their futures' marks); the grid is the surface's vol
 * at each listed strike (what the options' marks use). Every expiry with a forward is listed, fitted
 * or not. A pure function of its inputs: `nowMs` is the valuation time.
 */
export function volSurface(
  computeClass: string,
  options: readonly OptionQuote[],
  forwards: ReadonlyMap<string, ForwardMark>,
  nowMs: number,
): VolSurfaceView {
  const expiries = new Map<string, Expiry>();
  const mids: OptionMid[] = [];
  for (const o of options) {
    const fwd = forwards.get(o.underlying);
    if (fwd === undefined || fwd.markTicks <= 0) continue;
    const forward = fwd.markTicks * Number(fwd.tickSize);
    const t = (o.expiryMs - nowMs) / YEAR_MS;
    let e = expiries.get(o.underlying);
    if (e === undefined) {
      e = { underlying: o.underlying, expiryMs: o.expiryMs, forward, t, strikes: new Set() };
      expiries.set(o.underlying, e);
    }
    e.strikes.add(o.strike);
    if (o.bidTicks <= 0 || o.askTicks <= 0) continue;
    const midPrice = ((o.bidTicks + o.askTicks) / 2) * Number(o.tickSize);
    mids.push({
      expiryKey: o.underlying,
      midPrice,
      forward,
      strike: Number(o.strike),
      timeYears: t,
      isCall: o.isCall,
    });
  }
  const { slices, surface } = fitVolSurface(mids);
  const fits = new Map(slices.map((s) => [s.expiryKey, s]));
  const ordered = [...expiries.values()].sort((x, y) => x.t - y.t || (x.underlying < y.underlying ? -1 : 1));
  return {
    computeClass,
    asOfMs: nowMs,
    slices: ordered.map((e) => sliceView(e, fits.get(e.underlying), forwards, surface)),
  };
}

function sliceView(
  e: Expiry,
  fitted: SurfaceSlice | undefined,
  forwards: ReadonlyMap<string, ForwardMark>,
  surface?: SviSurface,
): VolSliceView {
  const fwd = forwards.get(e.underlying)!;
  const fit = fitted?.fit ?? calibrateSviSlice([], [], e.t); // no quotes: INSUFFICIENT_DATA
  const usable = fit.status !== 'INSUFFICIENT_DATA';
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    underlying: e.underlying,
    expiryMs: e.expiryMs,
    forward: ticksToPrice(fwd.markTicks, fwd.tickSize),
    timeYears: e.t,
    quotes: fitted?.ks.length ?? 0,
    status: fit.status,
    params: usable ? { ...fit.params } : null,
    rmseTotalVariance: usable ? finite(fit.rmseTotalVariance) : null,
    grid: [...e.strikes]
      .sort((a, b) => Number(a) - Number(b))
      .map((strike) => {
        const k = Math.log(Number(strike) / e.forward);
        return {
          strike,
          logMoneyness: k,
          vol: surface === undefined ? null : finite(surface.volAnnual(k, e.t)),
        };
      }),
  };
}
