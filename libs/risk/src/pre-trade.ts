import { Dec, roundToMinor } from '@exchange/domain';
import type { RejectCode } from '@exchange/domain';
import { black76Price } from '@exchange/pricing';
import { accountMargin } from './portfolio-margin';
import type { FuturePosition, Markets, OptionPosition, Position } from './types';

/** An open or new order: a position template, a side, lots (> 0) and a limit price per GPU-hour. */
export interface RiskOrder {
  readonly id: string;
  readonly side: 'buy' | 'sell';
  readonly qtyLots: number;
  readonly price: number;
  readonly instrument: Omit<FuturePosition, 'qtyLots' | 'id'> | Omit<OptionPosition, 'qtyLots' | 'id'>;
}

export type PreTradeResult =
  | { readonly accepted: true; readonly initialMinor: bigint; readonly equityAfterMinor: bigint }
  | {
      readonly accepted: false;
      readonly code: RejectCode;
      readonly initialMinor: bigint;
      readonly equityAfterMinor: bigint;
    };

/** Model value per GPU-hour of the order's instrument at the current market. */
function fairPrice(o: RiskOrder, markets: Markets): number | undefined {
  const m = markets.get(o.instrument.underlying);
  if (m === undefined) return undefined;
  const ins = o.instrument;
  if (ins.kind === 'future') return m.forward;
  return black76Price(
    m.forward,
    ins.strike,
    ins.timeYears,
    m.volAnnual(ins.strike, ins.timeYears),
    m.params.rateAnnual,
    ins.isCall,
  );
}

function applyFills(positions: readonly Position[], orders: readonly RiskOrder[]): Position[] {
  const out = [...positions];
  for (const o of orders)
    out.push({ ...o.instrument, id: o.id, qtyLots: o.side === 'buy' ? o.qtyLots : -o.qtyLots } as Position);
  return out;
}

/**
 * Pre-trade check. Worst-case fill: either every buy order (open ones and the new one) fills or every
 * sell order fills, each at its limit price; for both cases the equity after the fills (the limit-price
 * cost against the model value: qty x hours x (fair - price) for buys, the reverse for sells) must cover
 * the initial margin of the positions after the fills. Accept only if the worse case fits, else
 * INSUFFICIENT_MARGIN (INVALID_COMMAND if an order names an unknown underlying).
 */
export function preTradeCheck(
  equityMinor: bigint,
  positions: readonly Position[],
  openOrders: readonly RiskOrder[],
  newOrder: RiskOrder,
  markets: Markets,
): PreTradeResult {
  const orders = [...openOrders, newOrder];
  let worstShortfall: bigint | undefined;
  let reportIm = 0n;
  let reportEquity = equityMinor;
  for (const side of ['buy', 'sell'] as const) {
    const fills = orders.filter((o) => o.side === side);
    let edge = new Dec(0);
    for (const o of fills) {
      const fair = fairPrice(o, markets);
      if (fair === undefined)
        return { accepted: false, code: 'INVALID_COMMAND', initialMinor: 0n, equityAfterMinor: equityMinor };
      const signed = side === 'buy' ? fair - o.price : o.price - fair;
      edge = edge.plus(new Dec(signed).mul(o.qtyLots).mul(o.instrument.gpuHoursPerLot));
    }
    const equityAfter = equityMinor + roundToMinor(edge);
    const margin = accountMargin(applyFills(positions, fills), markets);
    if ('error' in margin)
      return { accepted: false, code: 'INVALID_COMMAND', initialMinor: 0n, equityAfterMinor: equityMinor };
    const shortfall = margin.initialMinor - equityAfter;
    if (worstShortfall === undefined || shortfall > worstShortfall) {
      worstShortfall = shortfall;
      reportIm = margin.initialMinor;
      reportEquity = equityAfter;
    }
  }
  if (worstShortfall! > 0n)
    return {
      accepted: false,
      code: 'INSUFFICIENT_MARGIN',
      initialMinor: reportIm,
      equityAfterMinor: reportEquity,
    };
  return { accepted: true, initialMinor: reportIm, equityAfterMinor: reportEquity };
}
