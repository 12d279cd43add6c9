import { impliedVolatility } from './implied-vol';
import { SviSurface, calibrateSviSlice, enforceCalendar, type SviSliceFit } from './svi-calibration';

/** One option book's mid as the surface reads it (per unit of the underlying, rate 0). */
export interface OptionMid {
  /** The slice the option belongs to: its expiry (in the exchange, its future's symbol). */
  readonly expiryKey: string;
  readonly midPrice: number;
  readonly forward: number;
  readonly strike: number;
  readonly timeYears: number;
  readonly isCall: boolean;
}

/** One expiry of a fitted surface: the implied vols it was fitted to and its SVI fit. */
export interface SurfaceSlice {
  readonly expiryKey: string;
  readonly timeYears: number;
  readonly ks: number[];
  readonly vols: number[];
  /** After the calendar repair when the slice is usable (OK or REPAIRED). */
  fit: SviSliceFit;
}

const usable = (s: SurfaceSlice) => s.fit.status === 'OK' || s.fit.status === 'REPAIRED';

/**
 * A volatility surface from option mids: the implied vol (Let's Be Rational, rate 0) of each mid at
 * its forward; one SVI slice per expiry (quasi-explicit fit with butterfly repair; too few quotes:
 * INSUFFICIENT_DATA); the usable slices calendar-repaired across expiries. Slices come sorted by time
 * (then key); `surface` is undefined when no slice is usable. Mids that are not positive, past
 * expiry, or without an implied vol are left out.
 */
export function fitVolSurface(mids: Iterable<OptionMid>): {
  slices: SurfaceSlice[];
  surface: SviSurface | undefined;
} {
  const byExpiry = new Map<string, { expiryKey: string; timeYears: number; ks: number[]; vols: number[] }>();
  for (const m of mids) {
    if (!(m.timeYears > 0) || !(m.midPrice > 0)) continue;
    const iv = impliedVolatility({
      price: m.midPrice,
      forward: m.forward,
      strike: m.strike,
      timeYears: m.timeYears,
      rateAnnual: 0,
      isCall: m.isCall,
    });
    if (iv.status !== 'OK') continue;
    let s = byExpiry.get(m.expiryKey);
    if (s === undefined) {
      s = { expiryKey: m.expiryKey, timeYears: m.timeYears, ks: [], vols: [] };
      byExpiry.set(m.expiryKey, s);
    }
    s.ks.push(Math.log(m.strike / m.forward));
    s.vols.push(iv.volAnnual);
  }
  const slices: SurfaceSlice[] = [...byExpiry.values()]
    .sort((x, y) => x.timeYears - y.timeYears || (x.expiryKey < y.expiryKey ? -1 : 1))
    .map((s) => ({ ...s, fit: calibrateSviSlice(s.ks, s.vols, s.timeYears) }));
  const fitted = slices.filter(usable);
  const repaired = enforceCalendar(fitted.map((s) => s.fit)).slices; // input sorted by time: order kept
  fitted.forEach((s, i) => (s.fit = repaired[i]!));
  return { slices, surface: fitted.length > 0 ? new SviSurface(repaired) : undefined };
}
