import { black76Price } from './black76';
import { fitVolSurface, type OptionMid } from './surface-fit';

/** Option mids priced with a known smile: vol(k) = 0.6 + 0.3 k^2 at each expiry. */
function mids(expiryKey: string, timeYears: number, forward: number): OptionMid[] {
  return [0.6, 0.8, 0.9, 1, 1.1, 1.25, 1.5].map((m) => {
    const strike = forward * m;
    const k = Math.log(m);
    const isCall = m >= 1;
    const midPrice = black76Price(forward, strike, timeYears, 0.6 + 0.3 * k * k, 0, isCall);
    return { expiryKey, midPrice, forward, strike, timeYears, isCall };
  });
}

describe('fitVolSurface', () => {
  it('recovers the smile the mids were priced with, one slice per expiry sorted by time', () => {
    const { slices, surface } = fitVolSurface([...mids('B', 0.5, 2.4), ...mids('A', 0.25, 2.5)]);
    expect(slices.map((s) => [s.expiryKey, s.ks.length, s.fit.status])).toEqual([
      ['A', 7, 'OK'],
      ['B', 7, 'OK'],
    ]);
    for (const [k, t] of [
      [0, 0.25],
      [0.2, 0.25],
      [-0.3, 0.5],
    ] as const)
      expect(surface!.volAnnual(k, t)).toBeCloseTo(0.6 + 0.3 * k * k, 2);
  });

  it('leaves out mids that are not positive, past expiry or below intrinsic, and has no surface from too few', () => {
    const bad: OptionMid[] = [
      { expiryKey: 'A', midPrice: 0, forward: 2.5, strike: 2.5, timeYears: 0.25, isCall: true },
      { expiryKey: 'A', midPrice: 0.1, forward: 2.5, strike: 2.5, timeYears: 0, isCall: true },
      { expiryKey: 'A', midPrice: 0.1, forward: 2.5, strike: 2, timeYears: 0.25, isCall: true }, // below 0.5 intrinsic
      { expiryKey: 'A', midPrice: 0.2, forward: 2.5, strike: 2.5, timeYears: 0.25, isCall: true },
    ];
    const { slices, surface } = fitVolSurface(bad);
    expect(slices.map((s) => [s.expiryKey, s.ks.length, s.fit.status])).toEqual([
      ['A', 1, 'INSUFFICIENT_DATA'],
    ]);
    expect(surface).toBeUndefined();
  });
});
