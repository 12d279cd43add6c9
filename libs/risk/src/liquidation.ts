import { Dec, roundToMinor } from '@exchange/domain';
import { black76Price } from '@exchange/pricing';
import { accountMargin } from './portfolio-margin';
import type { Markets, Position } from './types';

/**
 * Liquidation planner (pure, deterministic). When equity < maintenance:
 * 1. cancel every open order of the account (one step);
 * 2. reduce positions with IOC orders, largest absolute notional (|qty| x hours x mark) first, ties by
 *    id: each IOC closes ceil(|qty| x stepFraction) lots (at least 1) at the mark worsened by slippageBps
 *    (a sell below, a buy above the mark); the plan assumes each IOC fills completely at its limit, so
 *    equity falls by the slippage; after each step the maintenance is recomputed and the plan stops
 *    once equity >= maintenance;
 * 3. if all positions are closed with negative equity, the insurance fund absorbs the shortfall up to
 *    its balance; the rest is reported as uncovered (for auto-deleveraging).
 */
export interface LiquidationParams {
  readonly stepFraction: number;
  readonly slippageBps: number;
  readonly maxSteps: number;
}

export type LiquidationStep =
  | { readonly kind: 'CANCEL_ORDERS'; readonly orderIds: readonly string[] }
  | {
      readonly kind: 'IOC';
      readonly positionId: string;
      readonly side: 'buy' | 'sell';
      readonly qtyLots: number;
      readonly price: number;
    };

export interface LiquidationPlan {
  readonly needed: boolean;
  readonly steps: readonly LiquidationStep[];
  readonly finalEquityMinor: bigint;
  readonly finalMaintenanceMinor: bigint;
  readonly insuranceAbsorbedMinor: bigint;
  readonly uncoveredMinor: bigint;
}

function mark(p: Position, markets: Markets): number {
  const m = markets.get(p.underlying)!;
  if (p.kind === 'future') return m.forward;
  return black76Price(
    m.forward,
    p.strike,
    p.timeYears,
    m.volAnnual(p.strike, p.timeYears),
    m.params.rateAnnual,
    p.isCall,
  );
}

function maintenance(positions: readonly Position[], markets: Markets): bigint {
  const m = accountMargin(positions, markets);
  return 'error' in m ? 0n : m.maintenanceMinor;
}

export function planLiquidation(
  equityMinor: bigint,
  positions: readonly Position[],
  openOrderIds: readonly string[],
  markets: Markets,
  insuranceFundMinor: bigint,
  params: LiquidationParams,
): LiquidationPlan {
  let mm = maintenance(positions, markets);
  if (equityMinor >= mm)
    return {
      needed: false,
      steps: [],
      finalEquityMinor: equityMinor,
      finalMaintenanceMinor: mm,
      insuranceAbsorbedMinor: 0n,
      uncoveredMinor: 0n,
    };
  const steps: LiquidationStep[] = [{ kind: 'CANCEL_ORDERS', orderIds: [...openOrderIds].sort() }];
  const live = positions.filter((p) => p.qtyLots !== 0).map((p) => ({ ...p }));
  let equity = equityMinor;
  while (equity < mm && live.length > 0 && steps.length <= params.maxSteps) {
    live.sort((a, b) => {
      const d =
        Math.abs(b.qtyLots) * b.gpuHoursPerLot * mark(b, markets) -
        Math.abs(a.qtyLots) * a.gpuHoursPerLot * mark(a, markets);
      return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    const p = live[0]!;
    const lots = Math.min(
      Math.abs(p.qtyLots),
      Math.max(1, Math.ceil(Math.abs(p.qtyLots) * params.stepFraction)),
    );
    const side = p.qtyLots > 0 ? 'sell' : 'buy';
    const markPrice = mark(p, markets);
    const slip = (markPrice * params.slippageBps) / 10_000;
    const price = side === 'sell' ? markPrice - slip : markPrice + slip;
    steps.push({ kind: 'IOC', positionId: p.id, side, qtyLots: lots, price });
    // the fill at the limit costs the slippage against the mark (computed money, half-even)
    equity -= roundToMinor(new Dec(slip).mul(lots).mul(p.gpuHoursPerLot));
    p.qtyLots += side === 'sell' ? -lots : lots;
    if (p.qtyLots === 0) live.shift();
    mm = maintenance(live, markets);
  }
  const shortfall = live.length === 0 && equity < 0n ? -equity : 0n;
  const absorbed = shortfall < insuranceFundMinor ? shortfall : insuranceFundMinor;
  return {
    needed: true,
    steps,
    finalEquityMinor: equity + absorbed,
    finalMaintenanceMinor: mm,
    insuranceAbsorbedMinor: absorbed,
    uncoveredMinor: shortfall - absorbed,
  };
}
