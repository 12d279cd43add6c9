import { SystemAccount } from '@exchange/domain';

/**
 * Stable codes of the settlement core: transfer reasons, lease states, failure reasons, wait reasons
 * and reject codes. Each list is append-only (a code, once published, keeps its meaning and its
 * index forever: logs, tables and messages store them), like @exchange/domain's REJECT_CODES.
 */

/**
 * Ledger accounts settlement moves money through, beside the domain's system accounts. Escrow holds
 * lessees' payments for leases not yet served; ProviderCollateral holds providers' collateral locked
 * behind leases. Both are system accounts (negative ids), so commands can never name them.
 */
export const SettlementAccount = {
  External: SystemAccount.External,
  InsuranceFund: SystemAccount.InsuranceFund,
  Clearing: SystemAccount.Clearing,
  Escrow: -5,
  ProviderCollateral: -6,
} as const;
export type SettlementAccount = (typeof SettlementAccount)[keyof typeof SettlementAccount];

/** Why a settlement transfer moved money. */
export const SETTLEMENT_TRANSFER_REASONS = [
  /** Daily mark-to-market of a future: the day's profit or loss against Clearing. */
  'VARIATION_MARGIN',
  /** A future closed at expiry against its final settlement price (cash- and physically settled). */
  'FUTURE_FINAL_SETTLEMENT',
  /** An option in the money exercised against its future's final settlement price. */
  'OPTION_EXERCISE',
  /** A lessee's payment for a lease into escrow. */
  'ESCROW_FUND',
  /** Escrow to the provider for verified hours of service. */
  'ESCROW_RELEASE',
  /** Escrow back to the lessee for hours not served. */
  'ESCROW_REFUND',
  /** Redeemed GPU-hour tokens leave escrow for the outside world (burnt) as hours are served. */
  'TOKEN_BURN',
  /** A provider's collateral locked behind a lease. */
  'COLLATERAL_LOCK',
  /** Collateral back to the provider (lease completed, or failure overturned in dispute). */
  'COLLATERAL_RELEASE',
  /** Slashed collateral to the lessee: made whole at the index plus the penalty. */
  'SLASH_COMPENSATION',
  /** The rest of slashed collateral to the insurance fund. */
  'SLASH_INSURANCE',
] as const;
export type SettlementTransferReason = (typeof SETTLEMENT_TRANSFER_REASONS)[number];

/**
 * Lease states. ALLOCATED -> PROVISIONED -> VERIFIED -> ACTIVE -> COMPLETED; any live state can go
 * to FAILED, which becomes SLASHED when the dispute window closes (or a dispute is upheld), or
 * DISPUTED -> VOIDED when the provider's dispute is accepted. COMPLETED, SLASHED and VOIDED are final.
 */
export const LEASE_STATES = [
  'ALLOCATED',
  'PROVISIONED',
  'VERIFIED',
  'ACTIVE',
  'COMPLETED',
  'FAILED',
  'DISPUTED',
  'SLASHED',
  'VOIDED',
] as const;
export type LeaseState = (typeof LEASE_STATES)[number];

export const FINAL_LEASE_STATES: ReadonlySet<LeaseState> = new Set(['COMPLETED', 'SLASHED', 'VOIDED']);

/** Why a lease failed. */
export const LEASE_FAILURE_REASONS = [
  /** No endpoint and credential by the provisioning deadline. */
  'NOT_PROVISIONED',
  /** No benchmark attestation by the verification deadline. */
  'NOT_VERIFIED',
  /** The attested score is under the class threshold. */
  'BENCHMARK_BELOW_THRESHOLD',
  /** Heartbeats missing for longer than the SLA during the delivery window. */
  'HEARTBEAT_MISSED',
] as const;
export type LeaseFailureReason = (typeof LEASE_FAILURE_REASONS)[number];

/** Why final settlement has to wait (it never settles on a stale or incomplete index). */
export const SETTLEMENT_WAIT_REASONS = [
  /** The settlement window has not closed yet. */
  'WINDOW_OPEN',
  /** Fewer index samples inside the window than required. */
  'INSUFFICIENT_SAMPLES',
  /** A gap between index samples (or to an end of the window) is longer than allowed. */
  'INDEX_STALE',
] as const;
export type SettlementWaitReason = (typeof SETTLEMENT_WAIT_REASONS)[number];

/** Why a settlement command was refused. A refused command changes nothing. */
export const SETTLEMENT_REJECT_CODES = [
  'ALREADY_SETTLED',
  'INVALID_PRICE',
  'INVALID_TICK_VALUE',
  'INVALID_BUSINESS_DATE',
  'INVALID_POSITION',
  'DUPLICATE_ACCOUNT',
  'OPEN_INTEREST_MISMATCH',
  'INSUFFICIENT_CAPACITY',
  'INVALID_QUANTITY',
  'INVALID_DELIVERY_WINDOW',
  'LEASE_WRONG_STATE',
  'LEASE_CLOSED',
  'TIME_WENT_BACKWARDS',
  'INVALID_ENDPOINT',
  'INVALID_CREDENTIAL_HASH',
  'WRONG_BENCHMARK_SUITE',
  'INVALID_SCORE',
  'DISPUTE_WINDOW_CLOSED',
  'INVALID_INDEX_PRICE',
  'INVALID_EVENT',
  'DEADLINE_PASSED',
] as const;
export type SettlementRejectCode = (typeof SETTLEMENT_REJECT_CODES)[number];

/** Human-readable meaning of each reject code. */
export const SETTLEMENT_REJECT_CODE_MEANING: Record<SettlementRejectCode, string> = {
  ALREADY_SETTLED: 'This instrument was already settled under this key (date or expiry).',
  INVALID_PRICE: 'The settlement price must be a positive whole number of ticks.',
  INVALID_TICK_VALUE: 'The tick value must be a positive whole number of minor units.',
  INVALID_BUSINESS_DATE: 'The business date must be a calendar date written YYYY-MM-DD.',
  INVALID_POSITION: 'A position needs a positive account id, whole signed lots and a bigint cost.',
  DUPLICATE_ACCOUNT: 'An account appears more than once (or on both sides).',
  OPEN_INTEREST_MISMATCH: 'Long lots and short lots to deliver differ.',
  INSUFFICIENT_CAPACITY: "Providers' committed capacity does not cover the request.",
  INVALID_QUANTITY: 'Quantities must be positive whole numbers.',
  INVALID_DELIVERY_WINDOW: 'The delivery window must be a positive whole number of hours.',
  LEASE_WRONG_STATE: 'The lease is not in a state that takes this event.',
  LEASE_CLOSED: 'The lease is in a final state.',
  TIME_WENT_BACKWARDS: "The event's time is before the lease's last event.",
  INVALID_ENDPOINT: 'The endpoint must be 1 to 256 printable characters without credentials in it.',
  INVALID_CREDENTIAL_HASH: 'The credential must be given as its SHA-256 hash (64 lowercase hex digits).',
  WRONG_BENCHMARK_SUITE: "The attestation is not of the class's reference benchmark suite.",
  INVALID_SCORE: 'The benchmark score must be a finite number, zero or more.',
  DISPUTE_WINDOW_CLOSED: 'The dispute window of this failure has closed.',
  INVALID_INDEX_PRICE: 'The index price must be a positive bigint of minor units per GPU-hour.',
  INVALID_EVENT: 'The event is malformed or of an unknown type.',
  DEADLINE_PASSED: "The event came after its deadline: the lease failed at the event's time instead.",
};
