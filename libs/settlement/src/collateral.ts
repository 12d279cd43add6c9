import type { SettlementType } from '@exchange/domain';
import { ceilDivBig } from './validate';

/**
 * Provider collateral. A provider short a physically settled future owes compute; its collateral
 * backs that promise and is what a failed lease slashes. The requirement is a fraction of the
 * notional it is short, valued at the reference (mark) price:
 *
 *   requirementMinor = ceil(shortLots x priceTicks x tickValueMinor x collateralBps / 10,000)
 *
 * rounded up to the minor unit (in favour of the lessees it protects). Longs, cash-settled futures
 * and options need none here (their margin is the risk stage's portfolio margin). For a pre-trade
 * check the risk stage passes the worst case: the position minus every open sell order's lots.
 *
 * The default fraction is 25% of the notional: it covers a sharp repricing of the class between the
 * sale and the failure (the lessee is made whole at the index) plus the 10% penalty.
 */
export const DEFAULT_PROVIDER_COLLATERAL_BPS = 2_500;

export interface CollateralLeg {
  /** Signed lots (only negative lots on physically settled futures need collateral). */
  readonly qtyLots: number;
  readonly settlement: SettlementType;
  readonly priceTicks: number;
  readonly tickValueMinor: bigint;
}

/** Collateral on one notional: ceil(notionalMinor x bps / 10,000). */
export function collateralOnNotionalMinor(notionalMinor: bigint, collateralBps: number): bigint {
  if (notionalMinor < 0n) throw new RangeError('notional must not be negative');
  if (!Number.isSafeInteger(collateralBps) || collateralBps < 0) throw new RangeError(`bad collateral bps ${collateralBps}`);
  return ceilDivBig(notionalMinor * BigInt(collateralBps), 10_000n);
} // prettier-ignore

/** The collateral a provider must hold for its short physically settled futures. */
export function providerCollateralRequirementMinor(
  legs: readonly CollateralLeg[],
  collateralBps: number = DEFAULT_PROVIDER_COLLATERAL_BPS,
): bigint {
  let notional = 0n;
  for (const leg of legs) {
    if (!Number.isSafeInteger(leg.qtyLots) || !Number.isSafeInteger(leg.priceTicks) || leg.priceTicks < 0)
      throw new RangeError('collateral legs need whole lots and a non-negative whole price in ticks');
    if (leg.settlement !== 'physical' || leg.qtyLots >= 0) continue;
    notional += BigInt(-leg.qtyLots) * BigInt(leg.priceTicks) * leg.tickValueMinor;
  }
  // one rounding over the sum: the requirement of a portfolio is never above the sum of its legs'
  return collateralOnNotionalMinor(notional, collateralBps);
}
