import type { LeaseTerms } from '@exchange/settlement';
import type { RedemptionTerms } from './risk-redemption';
import type { MarginParams } from '../types';

export interface FeeSchedule {
  /** Fee on a maker's fill, in basis points of the notional (spot, futures) or premium (options). */
  readonly makerBps: number;
  readonly takerBps: number;
}

/**
 * The risk stage's parameters: data, the same for every replay (they are part of the snapshot's
 * meaning, so changing them is a new deployment, not a runtime switch).
 */
export interface RiskConfig {
  /** Scenario grid of futures and options portfolio margin. */
  readonly margin: MarginParams;
  /** Vol for valuing an option that has no mark price yet (annual, e.g. 0.8 = 80%). */
  readonly defaultVolAnnual: number;
  readonly fees: { readonly spot: FeeSchedule; readonly future: FeeSchedule; readonly option: FeeSchedule };
  readonly liquidation: {
    /** Share of the largest position each step closes (at least one lot). */
    readonly stepFraction: number;
    /** Each step's IOC limit: the mark worsened by this many basis points (at least one tick). */
    readonly slippageBps: number;
  };
  /** Terms of the leases physical delivery opens (default: @exchange/settlement DEFAULT_LEASE_TERMS). */
  readonly leaseTerms?: LeaseTerms;
  /** Token redemption limits (default: DEFAULT_REDEMPTION_TERMS in risk-redemption.ts). */
  readonly redemption?: RedemptionTerms;
}

/**
 * Defaults. GPU-hour prices move a lot (a new model launch can reprice a class within days), so the
 * scan range is wide: +-15% in 10 steps each way, vol +-30%, and a 45% extreme move counted at a
 * third; initial margin is 1.5x maintenance; a short option needs at least 5% of its underlying.
 */
export const DEFAULT_RISK_CONFIG: RiskConfig = {
  margin: {
    priceRange: 0.15,
    priceSteps: 10,
    volShift: 0.3,
    extremeMove: 0.45,
    extremeCover: 0.33,
    shortOptionMinimum: 0.05,
    initialMultipleBps: 15_000,
    rateAnnual: 0,
  },
  defaultVolAnnual: 0.8,
  fees: {
    spot: { makerBps: 0, takerBps: 10 },
    future: { makerBps: 1, takerBps: 5 },
    option: { makerBps: 2, takerBps: 5 },
  },
  liquidation: { stepFraction: 0.5, slippageBps: 200 },
};
