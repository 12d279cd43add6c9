/**
 * Spot is fully collateralised: an order reserves what it could spend. A buy reserves quote currency
 * at its limit (or, for a market order, its protection price): priceTicks x qtyLots x tickValueMinor
 * plus the taker fee, rounded up to the minor unit (a reservation must never be short). A sell
 * reserves the tokens it offers: qtyLots.
 */
export interface SpotOrder {
  readonly side: 'buy' | 'sell';
  readonly qtyLots: number;
  /** Limit price, or the protection price of a market order. */
  readonly priceTicks: number;
}

export interface SpotReservation {
  readonly quoteMinor: bigint;
  readonly baseLots: number;
}

export function spotReservation(
  order: SpotOrder,
  tickValueMinor: bigint,
  takerFeeBps: number,
): SpotReservation {
  if (order.side === 'sell') return { quoteMinor: 0n, baseLots: order.qtyLots };
  const notional = BigInt(order.priceTicks) * BigInt(order.qtyLots) * tickValueMinor;
  const fee = (notional * BigInt(takerFeeBps) + 9_999n) / 10_000n;
  return { quoteMinor: notional + fee, baseLots: 0 };
}

/** Whether an account's free balances cover a new spot order's reservation. */
export function spotCanReserve(
  freeQuoteMinor: bigint,
  freeBaseLots: number,
  order: SpotOrder,
  tickValueMinor: bigint,
  takerFeeBps: number,
): { ok: true; reservation: SpotReservation } | { ok: false; code: 'INSUFFICIENT_MARGIN' } {
  const r = spotReservation(order, tickValueMinor, takerFeeBps);
  if (r.quoteMinor > freeQuoteMinor || r.baseLots > freeBaseLots)
    return { ok: false, code: 'INSUFFICIENT_MARGIN' };
  return { ok: true, reservation: r };
}
