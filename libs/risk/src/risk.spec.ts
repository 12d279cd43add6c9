import { black76Price } from '@exchange/pricing';
import {
  accountMargin,
  planLiquidation,
  preTradeCheck,
  spotCanReserve,
  spotReservation,
} from '@exchange/risk';
import type { MarginParams, Position, RiskOrder, UnderlyingMarket } from '@exchange/risk';

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

describe('pre-trade check', () => {
  const order = (id: string, side: 'buy' | 'sell', qtyLots: number, price: number): RiskOrder => ({
    id, side, qtyLots, price, instrument: { kind: 'future', underlying: 'H100', gpuHoursPerLot: 100 },
  }); // prettier-ignore
  it('accepts when initial margin after the worst-case fill fits equity', () => {
    const r = preTradeCheck(400_000_000n, [], [], order('n', 'buy', 10, 2), markets);
    expect(r).toEqual({ accepted: true, initialMinor: 300_000_000n, equityAfterMinor: 400_000_000n });
  });
  it('rejects with INSUFFICIENT_MARGIN counting open orders on the same side', () => {
    const r = preTradeCheck(400_000_000n, [], [order('o', 'buy', 5, 2)], order('n', 'buy', 10, 2), markets);
    expect(r.accepted).toBe(false);
    if (!r.accepted) expect(r.code).toBe('INSUFFICIENT_MARGIN');
  });
  it('a reducing order on the other side does not add margin', () => {
    const r = preTradeCheck(300_000_000n, [fut('f', 10)], [], order('n', 'sell', 10, 2), markets);
    expect(r.accepted).toBe(true);
  });
});

describe('spot reservation', () => {
  it('reserves notional plus fee, rounded up, and refuses when short', () => {
    expect(spotReservation({ side: 'buy', qtyLots: 3, priceTicks: 2501 }, 1000n, 5)).toEqual({
      quoteMinor: 7_506_752n,
      baseLots: 0,
    });
    expect(spotReservation({ side: 'sell', qtyLots: 3, priceTicks: 2501 }, 1000n, 5)).toEqual({
      quoteMinor: 0n,
      baseLots: 3,
    });
    expect(spotCanReserve(7_506_751n, 0, { side: 'buy', qtyLots: 3, priceTicks: 2501 }, 1000n, 5)).toEqual({
      ok: false,
      code: 'INSUFFICIENT_MARGIN',
    });
  });
});

describe('liquidation planner', () => {
  const lp = { stepFraction: 0.5, slippageBps: 100, maxSteps: 20 };
  it('does nothing when equity covers maintenance', () => {
    expect(planLiquidation(200_000_000n, [fut('f', 10)], ['o1'], markets, 0n, lp).needed).toBe(false);
  });
  it('cancels orders, then reduces with IOCs until maintenance is met', () => {
    const plan = planLiquidation(120_000_000n, [fut('f', 10)], ['o2', 'o1'], markets, 0n, lp);
    // step 1: sell 5 @ 1.98 costs 0.02 x 500 = 10 USDC -> equity 110, maintenance 100 -> done
    expect(plan.steps).toEqual([
      { kind: 'CANCEL_ORDERS', orderIds: ['o1', 'o2'] },
      { kind: 'IOC', positionId: 'f', side: 'sell', qtyLots: 5, price: 1.98 },
    ]);
    expect(plan.finalEquityMinor).toBe(110_000_000n);
    expect(plan.finalMaintenanceMinor).toBe(100_000_000n);
  });
  it('closes everything and lets the insurance fund absorb a shortfall', () => {
    const plan = planLiquidation(-5_000_000n, [fut('f', 2)], [], markets, 3_000_000n, lp);
    expect(plan.steps.filter((s) => s.kind === 'IOC').map((s) => (s.kind === 'IOC' ? s.qtyLots : 0))).toEqual(
      [1, 1],
    );
    // slippage 0.02 x 100 x 2 = 4 USDC -> equity -9; fund absorbs 3, 6 uncovered
    expect(plan.insuranceAbsorbedMinor).toBe(3_000_000n);
    expect(plan.uncoveredMinor).toBe(6_000_000n);
  });
});
