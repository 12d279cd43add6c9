import { black76Price } from '@exchange/pricing';
import { accountMargin } from '@exchange/risk';
import type { MarginParams, Position, UnderlyingMarket } from '@exchange/risk';

const params: MarginParams = {
  priceRange: 0.1,
  priceSteps: 2,
  volShift: 0.25,
  extremeMove: 0.3,
  extremeCover: 0.33,
  shortOptionMinimum: 0.01,
  initialMultipleBps: 15_000,
  rateAnnual: 0,
};
const market: UnderlyingMarket = { forward: 2, params, volAnnual: () => 0.5 };
const markets = new Map([['H100', market]]);
const fut = (id: string, qtyLots: number): Position => ({
  id,
  kind: 'future',
  underlying: 'H100',
  qtyLots,
  gpuHoursPerLot: 100,
});
const opt = (id: string, qtyLots: number, strike: number, isCall: boolean): Position => ({
  id, kind: 'option', underlying: 'H100', qtyLots, gpuHoursPerLot: 100, strike, isCall, timeYears: 0.25,
}); // prettier-ignore

describe('portfolio margin (scenario grid)', () => {
  it('long future: worst is the -10% move, 10 lots x 100 h x 0.2 = 200 USDC', () => {
    const m = accountMargin([fut('f', 10)], markets);
    if ('error' in m) throw new Error('unexpected');
    expect(m.maintenanceMinor).toBe(200_000_000n);
    expect(m.initialMinor).toBe(300_000_000n);
  });
  it('long future hedged by a short future: zero margin', () => {
    const m = accountMargin([fut('a', 5), fut('b', -5)], markets);
    if ('error' in m) throw new Error('unexpected');
    expect(m.maintenanceMinor).toBe(0n);
  });
  it('short call: worst of +10% with vol up, vs the extreme move at 33%, vs the short-option minimum', () => {
    const v0 = black76Price(2, 2, 0.25, 0.5, 0, true);
    const up = black76Price(2.2, 2, 0.25, 0.625, 0, true);
    const extreme = 0.33 * (black76Price(2.6, 2, 0.25, 0.5, 0, true) - v0);
    const expected = Math.max(up - v0, extreme) * 100 * 1;
    const m = accountMargin([opt('c', -1, 2, true)], markets);
    if ('error' in m) throw new Error('unexpected');
    expect(Number(m.maintenanceMinor) / 1e6).toBeCloseTo(expected, 5);
    expect(m.perUnderlying[0]!.worstScenario).toContain('vol x1.25');
    // deep OTM short call: the short-option minimum (1% x 2 x 100 = 2 USDC) dominates
    const far = accountMargin([opt('c', -1, 20, true)], markets);
    if ('error' in far) throw new Error('unexpected');
    expect(far.maintenanceMinor).toBe(2_000_000n);
  });
  it('names an unknown underlying', () => {
    expect(accountMargin([{ ...fut('x', 1), underlying: 'A100' }], markets)).toEqual({
      error: 'UNKNOWN_UNDERLYING',
      underlying: 'A100',
    });
  });
});
