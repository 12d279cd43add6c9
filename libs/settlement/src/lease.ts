import { QUOTE_CURRENCY } from '@exchange/domain';
import type { DeliveryMatch, RedemptionMatch } from './allocation';
import {
  SettlementAccount,
  type LeaseFailureReason,
  type LeaseState,
  type SettlementRejectCode,
} from './codes';
import { collateralOnNotionalMinor, DEFAULT_PROVIDER_COLLATERAL_BPS } from './collateral';
import type { SettlementTransfer } from './transfer';
import { isPositiveSafeInt, isSafeInt } from './validate';

export const HOUR_MS = 3_600_000;

/**
 * The terms every lease carries from its creation (so a later change of defaults never changes a
 * live lease, and a replay decides the same way).
 */
export interface LeaseTerms {
  /** The provider must hand over an endpoint and credential by deliveryStartMs + this. */
  readonly provisionGraceMs: number;
  /** The benchmark attestation must come within this long of provisioning. */
  readonly verifyGraceMs: number;
  /** Longest gap between heartbeats (or from the start of delivery) during the delivery window. */
  readonly heartbeatSlaMs: number;
  /** After a failure, the provider may dispute for this long before the slash is final. */
  readonly disputeWindowMs: number;
  /** The attested score per GPU must reach this share of the class reference score (basis points). */
  readonly benchmarkThresholdBps: number;
  /** Penalty on a slash: this share of the undelivered GPU-hours' value at the index. */
  readonly penaltyBps: number;
  /** Collateral locked behind a lease: this share of its notional (see collateral.ts). */
  readonly collateralBps: number;
}

/**
 * Defaults: 4 hours to provision after delivery starts, 2 hours to attest, heartbeats at least every
 * 10 minutes, 72 hours to dispute a failure, 90% of the class reference score, a 10% penalty and
 * collateral of 25% of the notional.
 */
export const DEFAULT_LEASE_TERMS: LeaseTerms = {
  provisionGraceMs: 4 * HOUR_MS,
  verifyGraceMs: 2 * HOUR_MS,
  heartbeatSlaMs: 10 * 60_000,
  disputeWindowMs: 72 * HOUR_MS,
  benchmarkThresholdBps: 9_000,
  penaltyBps: 1_000,
  collateralBps: DEFAULT_PROVIDER_COLLATERAL_BPS,
};

/**
 * A compute lease: `gpuCount` GPUs of a class from the provider to the lessee over
 * [deliveryStartMs, deliveryEndMs), a whole number of hours. Money:
 * - escrow: the lessee paid `paidMinor` of `escrowAsset` (gpuHours x escrowPerGpuHour) into
 *   SettlementAccount.Escrow; it goes to `escrowPayeeAccountId` one verified hour at a time
 *   (gpuCount x escrowPerGpuHour per hour) and back to the lessee for what is not served, so
 *   paidMinor = releasedMinor + refundedMinor + what escrow still holds, and escrow is never negative.
 *   A delivered future pays USDC at the final settlement price to the provider; redeemed GPU-hour
 *   tokens are escrowed and burnt (paid to External) as hours are served.
 * - collateral: `collateralMinor` USDC of the provider's, locked in SettlementAccount.ProviderCollateral;
 *   back to the provider on completion (or when a dispute overturns a failure), slashed otherwise.
 * `priceMinorPerGpuHour` values the lease in USDC (the final settlement price, or the index at
 * redemption); it sizes collateral and the make-whole on a slash.
 */
export interface Lease {
  readonly leaseId: string;
  readonly source: 'DELIVERY' | 'REDEMPTION';
  /** The delivered future (0 for a redemption). */
  readonly instrumentId: number;
  readonly computeClass: string;
  readonly benchmarkSuite: string;
  readonly referenceScore: number;
  readonly providerAccountId: number;
  readonly lesseeAccountId: number;
  readonly gpuCount: number;
  readonly deliveryStartMs: number;
  readonly deliveryEndMs: number;
  readonly gpuHours: number;
  readonly priceMinorPerGpuHour: bigint;
  readonly escrowAsset: string;
  readonly escrowPerGpuHour: bigint;
  readonly escrowPayeeAccountId: number;
  readonly terms: LeaseTerms;
  readonly provisionDeadlineMs: number;

  readonly state: LeaseState;
  readonly failureReason: LeaseFailureReason | null;
  /** Time of the last event applied (events may not go back in time). */
  readonly lastEventMs: number;
  /** Set at provisioning (0 before). */
  readonly verifyDeadlineMs: number;
  readonly endpoint: string;
  /** SHA-256 of the credential, lowercase hex; the credential itself is never held. */
  readonly credentialHash: string;
  readonly scorePerGpu: number;
  /** The last heartbeat (or the verification time before the first heartbeat). */
  readonly lastSeenMs: number;
  /** Verified service time inside the delivery window, ms. */
  readonly creditedMs: number;
  /** Whole hours paid out of escrow. */
  readonly releasedHours: number;
  readonly paidMinor: bigint;
  readonly releasedMinor: bigint;
  readonly refundedMinor: bigint;
  readonly collateralMinor: bigint;
  readonly collateralReturnedMinor: bigint;
  readonly slashCompensationMinor: bigint;
  readonly slashInsuranceMinor: bigint;
  readonly failedAtMs: number;
  readonly disputeEndsMs: number;
}

/** What escrow still holds for a lease. */
export function escrowMinor(l: Lease): bigint {
  return l.paidMinor - l.releasedMinor - l.refundedMinor;
}

/** Collateral still locked for a lease. */
export function lockedCollateralMinor(l: Lease): bigint {
  return l.collateralMinor - l.collateralReturnedMinor - l.slashCompensationMinor - l.slashInsuranceMinor;
}

interface LeaseCommon {
  /** Lease ids are `${leaseIdPrefix}-${n}`, n = 1, 2, ... in match order. */
  readonly leaseIdPrefix: string;
  readonly computeClass: string;
  readonly benchmarkSuite: string;
  readonly referenceScore: number;
  readonly deliveryStartMs: number;
  readonly deliveryEndMs: number;
  /** The time of the command that opens the leases. */
  readonly openedAtMs: number;
  readonly terms: LeaseTerms;
}

export interface DeliveryLeaseInput extends LeaseCommon {
  readonly instrumentId: number;
  /** GPUs per futures lot (GPU-hours per lot / hours of the delivery window). */
  readonly gpusPerLot: number;
  /** The final settlement price in USDC minor units per GPU-hour. */
  readonly priceMinorPerGpuHour: bigint;
  readonly matches: readonly DeliveryMatch[];
}

export interface RedemptionLeaseInput extends LeaseCommon {
  /** The GPU-hour token's asset code (the compute class). */
  readonly tokenAsset: string;
  /** The index at redemption, USDC minor units per GPU-hour (values collateral and make-whole). */
  readonly indexMinorPerGpuHour: bigint;
  readonly matches: readonly RedemptionMatch[];
}

export type OpenedLeases =
  | { readonly status: 'OPENED'; readonly leases: Lease[]; readonly transfers: SettlementTransfer[] }
  | { readonly status: 'REJECTED'; readonly code: SettlementRejectCode };

function commonProblem(c: LeaseCommon): SettlementRejectCode | null {
  const span = c.deliveryEndMs - c.deliveryStartMs;
  if (!isSafeInt(c.deliveryStartMs) || !isSafeInt(c.deliveryEndMs) || span <= 0 || span % HOUR_MS !== 0)
    return 'INVALID_DELIVERY_WINDOW';
  if (!isSafeInt(c.openedAtMs) || typeof c.leaseIdPrefix !== 'string' || c.leaseIdPrefix === '') return 'INVALID_EVENT';
  if (!(c.referenceScore > 0) || typeof c.benchmarkSuite !== 'string') return 'INVALID_SCORE';
  return null;
} // prettier-ignore

interface NewLease {
  readonly source: Lease['source'];
  readonly instrumentId: number;
  readonly providerAccountId: number;
  readonly lesseeAccountId: number;
  readonly gpuCount: number;
  readonly priceMinorPerGpuHour: bigint;
  readonly escrowAsset: string;
  readonly escrowPerGpuHour: bigint;
  readonly escrowPayeeAccountId: number;
}

function open(c: LeaseCommon, n: number, x: NewLease, out: SettlementTransfer[]): Lease {
  const leaseId = `${c.leaseIdPrefix}-${n}`;
  const gpuHours = x.gpuCount * ((c.deliveryEndMs - c.deliveryStartMs) / HOUR_MS);
  if (!Number.isSafeInteger(gpuHours)) throw new RangeError(`${leaseId}: GPU-hours out of range`);
  const hours = BigInt(gpuHours);
  const paidMinor = hours * x.escrowPerGpuHour;
  const notional = hours * x.priceMinorPerGpuHour;
  const collateralMinor = collateralOnNotionalMinor(notional, c.terms.collateralBps);
  // explicit literals, not spreads: V8 builds an object spread and then extended with more
  // properties about a hundred times slower than a literal (10,000 leases took about 2 s)
  if (paidMinor > 0n)
    out.push({ instrumentId: x.instrumentId, leaseId, debitAccountId: x.lesseeAccountId, creditAccountId: SettlementAccount.Escrow, asset: x.escrowAsset, amountMinor: paidMinor, reason: 'ESCROW_FUND' }); // prettier-ignore
  if (collateralMinor > 0n)
    out.push({ instrumentId: x.instrumentId, leaseId, debitAccountId: x.providerAccountId, creditAccountId: SettlementAccount.ProviderCollateral, asset: QUOTE_CURRENCY, amountMinor: collateralMinor, reason: 'COLLATERAL_LOCK' }); // prettier-ignore
  return {
    source: x.source,
    instrumentId: x.instrumentId,
    providerAccountId: x.providerAccountId,
    lesseeAccountId: x.lesseeAccountId,
    gpuCount: x.gpuCount,
    priceMinorPerGpuHour: x.priceMinorPerGpuHour,
    escrowAsset: x.escrowAsset,
    escrowPerGpuHour: x.escrowPerGpuHour,
    escrowPayeeAccountId: x.escrowPayeeAccountId,
    leaseId,
    computeClass: c.computeClass,
    benchmarkSuite: c.benchmarkSuite,
    referenceScore: c.referenceScore,
    deliveryStartMs: c.deliveryStartMs,
    deliveryEndMs: c.deliveryEndMs,
    gpuHours,
    terms: c.terms,
    provisionDeadlineMs: c.deliveryStartMs + c.terms.provisionGraceMs,
    state: 'ALLOCATED',
    failureReason: null,
    lastEventMs: c.openedAtMs,
    verifyDeadlineMs: 0,
    endpoint: '',
    credentialHash: '',
    scorePerGpu: 0,
    lastSeenMs: 0,
    creditedMs: 0,
    releasedHours: 0,
    paidMinor,
    releasedMinor: 0n,
    refundedMinor: 0n,
    collateralMinor,
    collateralReturnedMinor: 0n,
    slashCompensationMinor: 0n,
    slashInsuranceMinor: 0n,
    failedAtMs: 0,
    disputeEndsMs: 0,
  };
}

/**
 * Leases for a physically settled future's delivery: one per match, the long paying
 * gpuHours x price into escrow and the short locking its collateral (transfers in lease order).
 */
export function openDeliveryLeases(input: DeliveryLeaseInput): OpenedLeases {
  const problem = commonProblem(input);
  if (problem !== null) return { status: 'REJECTED', code: problem };
  if (!isPositiveSafeInt(input.gpusPerLot)) return { status: 'REJECTED', code: 'INVALID_QUANTITY' };
  if (typeof input.priceMinorPerGpuHour !== 'bigint' || input.priceMinorPerGpuHour <= 0n)
    return { status: 'REJECTED', code: 'INVALID_PRICE' };
  const transfers: SettlementTransfer[] = [];
  const leases = input.matches.map((m, k) =>
    open(input, k + 1, {
      source: 'DELIVERY',
      instrumentId: input.instrumentId,
      providerAccountId: m.providerAccountId,
      lesseeAccountId: m.lesseeAccountId,
      gpuCount: m.lots * input.gpusPerLot,
      priceMinorPerGpuHour: input.priceMinorPerGpuHour,
      escrowAsset: QUOTE_CURRENCY,
      escrowPerGpuHour: input.priceMinorPerGpuHour,
      escrowPayeeAccountId: m.providerAccountId,
    }, transfers),
  ); // prettier-ignore
  return { status: 'OPENED', leases, transfers };
}

/**
 * Leases for redeemed GPU-hour tokens: the lessee's tokens (one per GPU-hour) go into escrow and are
 * burnt as hours are served; the provider locks collateral on the value at the index.
 */
export function openRedemptionLeases(input: RedemptionLeaseInput): OpenedLeases {
  const problem = commonProblem(input);
  if (problem !== null) return { status: 'REJECTED', code: problem };
  if (typeof input.indexMinorPerGpuHour !== 'bigint' || input.indexMinorPerGpuHour <= 0n)
    return { status: 'REJECTED', code: 'INVALID_INDEX_PRICE' };
  const transfers: SettlementTransfer[] = [];
  const leases = input.matches.map((m, k) =>
    open(input, k + 1, {
      source: 'REDEMPTION',
      instrumentId: 0,
      providerAccountId: m.providerAccountId,
      lesseeAccountId: m.lesseeAccountId,
      gpuCount: m.gpuCount,
      priceMinorPerGpuHour: input.indexMinorPerGpuHour,
      escrowAsset: input.tokenAsset,
      escrowPerGpuHour: 1n,
      escrowPayeeAccountId: SettlementAccount.External,
    }, transfers),
  ); // prettier-ignore
  return { status: 'OPENED', leases, transfers };
}
