import {
  calendarViolation,
  calibrateSviSlice,
  enforceCalendar,
  SviSurface,
  sviButterflyMin,
  sviTotalVariance,
} from '@exchange/pricing';
import type { SviParams } from '@exchange/pricing';

const ks = [-0.6, -0.4, -0.25, -0.1, 0, 0.1, 0.25, 0.4, 0.6];
const volsFrom = (p: SviParams, t: number) => ks.map((k) => Math.sqrt(sviTotalVariance(p, k) / t));

describe('SVI calibration', () => {
  it('recovers a known arbitrage-free smile', () => {
    const truth = { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 };
    const fit = calibrateSviSlice(ks, volsFrom(truth, 0.5), 0.5);
    expect(fit.status).toBe('OK');
    expect(fit.rmseTotalVariance).toBeLessThan(1e-5);
    expect(fit.butterflyMin).toBeGreaterThanOrEqual(0);
  });

  it('repairs a smile with butterfly arbitrage into an arbitrage-free one', () => {
    // noisy, sharply kinked quotes: an unconstrained fit would have g < 0
    const vols = [0.9, 0.55, 0.3, 0.2, 0.15, 0.2, 0.3, 0.55, 0.9];
    const fit = calibrateSviSlice(ks, vols, 0.1);
    expect(['OK', 'REPAIRED']).toContain(fit.status);
    expect(sviButterflyMin(fit.params)).toBeGreaterThanOrEqual(0);
  });

  it('reports insufficient data', () => {
    expect(calibrateSviSlice([0, 0.1], [0.5, 0.5], 1).status).toBe('INSUFFICIENT_DATA');
  });

  it('detects and repairs calendar arbitrage; the surface marks options', () => {
    const near = calibrateSviSlice(ks, volsFrom({ a: 0.04, b: 0.1, rho: 0, m: 0, sigma: 0.2 }, 0.25), 0.25);
    const far = calibrateSviSlice(ks, volsFrom({ a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.2 }, 0.5), 0.5);
    expect(calendarViolation(near.params, far.params)).toBeGreaterThan(0);
    const { slices, repaired } = enforceCalendar([far, near]);
    expect(repaired).toBe(1);
    expect(calendarViolation(slices[0]!.params, slices[1]!.params)).toBeLessThanOrEqual(1e-15);
    const surface = new SviSurface([near, far]);
    const mark = surface.markOption(2.5, 2.5, 0.375, 0, true);
    expect(mark.volAnnual).toBeGreaterThan(0);
    expect(mark.price).toBeGreaterThan(0);
  });
});
