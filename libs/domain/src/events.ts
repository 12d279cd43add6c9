import type { CancelReason, InstrumentStatus, OrderType, Side, TimeInForce } from './enums';
import type { CommandType } from './commands';
import type { RejectCode } from './reject-code';

/**
 * Events out of the matching engine. Every event carries `seq`, the sequence number of the command
 * that caused it; within one command events come in the order things happened, and the book's
 * level changes come last, one per changed price level, buy side first, each side by price.
 */
export const EventType = {
  InstrumentListed: 1,
  InstrumentStatusChanged: 2,
  OrderAccepted: 3,
  OrderRejected: 4,
  Trade: 5,
  OrderCancelled: 6,
  OrderAmended: 7,
  OrderExpired: 8,
  OrderTriggered: 9,
  BookDelta: 10,
  LedgerTransfer: 11,
  PositionChanged: 12,
  Liquidation: 13,
  LeaseStateChanged: 14,
  InstrumentSettled: 15,
  StakeChanged: 16,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface InstrumentListed {
  type: typeof EventType.InstrumentListed;
  seq: number;
  instrumentId: number;
  symbol: string;
}

export interface InstrumentStatusChanged {
  type: typeof EventType.InstrumentStatusChanged;
  seq: number;
  instrumentId: number;
  status: InstrumentStatus;
}

/** An order passed validation. Its id is the seq of the command that placed it. */
export interface OrderAccepted {
  type: typeof EventType.OrderAccepted;
  seq: number;
  instrumentId: number;
  orderId: number;
  accountId: number;
  clientOrderId: string;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  flags: number;
  priceTicks: number;
  /** Quantity after any reduce-only clipping. */
  qtyLots: number;
  displayLots: number;
  stopPriceTicks: number;
  expireAtMs: number;
}

export interface OrderRejected {
  type: typeof EventType.OrderRejected;
  seq: number;
  commandType: CommandType;
  instrumentId: number;
  accountId: number;
  /** The order a cancel or amend named; 0 for a new order. */
  orderId: number;
  clientOrderId: string;
  code: RejectCode;
}

export interface Trade {
  type: typeof EventType.Trade;
  seq: number;
  instrumentId: number;
  /** Per instrument, starting at 1, without gaps. */
  tradeId: number;
  priceTicks: number;
  qtyLots: number;
  aggressorSide: Side;
  makerOrderId: number;
  makerAccountId: number;
  takerOrderId: number;
  takerAccountId: number;
  /** Open quantity of each order after this trade. */
  makerRemainingLots: number;
  takerRemainingLots: number;
}

/** Quantity left the book without trading. remainingLots > 0 only after a self-trade decrement. */
export interface OrderCancelled {
  type: typeof EventType.OrderCancelled;
  seq: number;
  instrumentId: number;
  orderId: number;
  accountId: number;
  cancelledLots: number;
  remainingLots: number;
  reason: CancelReason;
}

export interface OrderAmended {
  type: typeof EventType.OrderAmended;
  seq: number;
  instrumentId: number;
  orderId: number;
  accountId: number;
  priceTicks: number;
  remainingLots: number;
  stopPriceTicks: number;
  /** False when the amendment sent the order to the back of its queue. */
  priorityKept: boolean;
}

export interface OrderExpired {
  type: typeof EventType.OrderExpired;
  seq: number;
  instrumentId: number;
  orderId: number;
  accountId: number;
  expiredLots: number;
}

export interface OrderTriggered {
  type: typeof EventType.OrderTriggered;
  seq: number;
  instrumentId: number;
  orderId: number;
  accountId: number;
  /** The reference price that reached the stop. */
  triggerPriceTicks: number;
}

/** One price level's new state: visible quantity and number of orders (0 and 0: the level is gone). */
export interface BookDelta {
  type: typeof EventType.BookDelta;
  seq: number;
  instrumentId: number;
  side: Side;
  priceTicks: number;
  qtyLots: number;
  orderCount: number;
}

/** Why money moved (the `reason` of a ledger transfer). Append-only. */
export const TransferReason = {
  Deposit: 0,
  Withdrawal: 1,
  /** Spot: the quote currency from buyer to seller, and the token from seller to buyer. */
  SpotSettlement: 2,
  Fee: 3,
  /** Options: the premium from buyer to seller at the trade. */
  OptionPremium: 4,
  /** Futures: profit or loss realised when a position is reduced, against the clearing account. */
  RealisedPnl: 5,
  /** The insurance fund covers a liquidated account's negative balance. */
  InsuranceCover: 6,
  /** Daily mark-to-market of a future: the day's profit or loss against Clearing. */
  VariationMargin: 7,
  /** A future closed at expiry against its final settlement price. */
  FutureFinalSettlement: 8,
  /** An option in the money exercised against its future's final settlement price. */
  OptionExercise: 9,
  /** A lessee's payment for a lease into Escrow. */
  EscrowFund: 10,
  /** Escrow to the provider for verified hours of service. */
  EscrowRelease: 11,
  /** Escrow back to the lessee for hours not served. */
  EscrowRefund: 12,
  /** Redeemed GPU-hour tokens leave escrow (burnt) as hours are served. */
  TokenBurn: 13,
  /** A provider's collateral locked behind a lease. */
  CollateralLock: 14,
  /** Collateral back to the provider (lease completed, or failure overturned in dispute). */
  CollateralRelease: 15,
  /** Slashed collateral to the lessee: made whole at the index plus the penalty. */
  SlashCompensation: 16,
  /** The rest of slashed collateral to the insurance fund. */
  SlashInsurance: 17,
  /** Money out of the exchange to the account's payout address on chain (ChainWithdraw). */
  ChainWithdrawal: 18,
  /** A provider's stake credited from chain (ChainStake): External to the provider. */
  ChainStake: 19,
  /** Stake released back to the provider on chain (ReleaseStake): the provider to External. */
  StakeRelease: 20,
} as const;
export type TransferReason = (typeof TransferReason)[keyof typeof TransferReason];
export const TransferReasonName = [
  'deposit',
  'withdrawal',
  'spot_settlement',
  'fee',
  'option_premium',
  'realised_pnl',
  'insurance_cover',
  'variation_margin',
  'future_final_settlement',
  'option_exercise',
  'escrow_fund',
  'escrow_release',
  'escrow_refund',
  'token_burn',
  'collateral_lock',
  'collateral_release',
  'slash_compensation',
  'slash_insurance',
  'chain_withdrawal',
  'chain_stake',
  'stake_release',
] as const;

/** The first reason that belongs to a lease (its transfers carry the lease id). */
export const FIRST_LEASE_TRANSFER_REASON = TransferReason.EscrowFund;

export function isLeaseTransferReason(reason: number): boolean {
  return reason >= FIRST_LEASE_TRANSFER_REASON && reason <= TransferReason.SlashInsurance;
}

/**
 * One double-entry ledger movement: `amountMinor` (> 0) of `asset` leaves `debitAccountId` and
 * reaches `creditAccountId`. System accounts have negative ids (see SYSTEM_ACCOUNTS). `instrumentId`
 * is the instrument that caused it (0 for deposits and withdrawals). `leaseId` names the lease of a
 * lease transfer (escrow and collateral reasons) and is '' for every other reason (the codec writes
 * it only for lease reasons).
 */
export interface LedgerTransfer {
  type: typeof EventType.LedgerTransfer;
  seq: number;
  instrumentId: number;
  debitAccountId: number;
  creditAccountId: number;
  asset: string;
  amountMinor: bigint;
  reason: TransferReason;
  leaseId: string;
}

/** An account's position in a futures or options instrument after a trade: signed lots and cost. */
export interface PositionChanged {
  type: typeof EventType.PositionChanged;
  seq: number;
  instrumentId: number;
  accountId: number;
  /** Signed: + long, - short. */
  qtyLots: number;
  /** What the open position cost at its entry prices, in quote minor units (signed like qtyLots). */
  costMinor: bigint;
}

export const LiquidationPhase = { Started: 0, Step: 1, Finished: 2 } as const;
export type LiquidationPhase = (typeof LiquidationPhase)[keyof typeof LiquidationPhase];
export const LiquidationPhaseName = ['started', 'step', 'finished'] as const;

/** An account's liquidation: started (orders cancelled), each IOC step, finished. */
export interface Liquidation {
  type: typeof EventType.Liquidation;
  seq: number;
  /** The instrument of a step's IOC order; 0 for started and finished. */
  instrumentId: number;
  accountId: number;
  phase: LiquidationPhase;
  equityMinor: bigint;
  maintenanceMinor: bigint;
  /** Finished: what the insurance fund paid in. */
  insuranceMinor: bigint;
}

/** Lease states (append-only; the codec stores the index). */
export const LeaseStateName = [
  'allocated',
  'provisioned',
  'verified',
  'active',
  'completed',
  'failed',
  'disputed',
  'slashed',
  'voided',
] as const;
/** Lease failure reasons (append-only); 'none' while the lease has not failed. */
export const LeaseFailureName = [
  'none',
  'not_provisioned',
  'not_verified',
  'benchmark_below_threshold',
  'heartbeat_missed',
] as const;

/** A compute lease was opened or changed state (or paid out hours); its figures after the change. */
export interface LeaseStateChanged {
  type: typeof EventType.LeaseStateChanged;
  seq: number;
  /** The delivered future (0 for a token redemption). */
  instrumentId: number;
  leaseId: string;
  providerAccountId: number;
  lesseeAccountId: number;
  /** Index in LeaseStateName. */
  state: number;
  /** Index in LeaseFailureName (0: none). */
  failure: number;
  gpuCount: number;
  deliveryStartMs: number;
  deliveryEndMs: number;
  releasedHours: number;
  /** Escrow paid in, released to the provider and refunded to the lessee, minor units. */
  paidMinor: bigint;
  releasedMinor: bigint;
  refundedMinor: bigint;
  collateralMinor: bigint;
}

export const SettlementKind = { Daily: 0, Expiry: 1 } as const;
export type SettlementKind = (typeof SettlementKind)[keyof typeof SettlementKind];
export const SettlementKindName = ['daily', 'expiry'] as const;

/** A daily mark or a final settlement was applied to an instrument (after its transfers). */
export interface InstrumentSettled {
  type: typeof EventType.InstrumentSettled;
  seq: number;
  instrumentId: number;
  kind: SettlementKind;
  /** The idempotency key: MTM:<id>:<date> or EXPIRY:<id>. */
  key: string;
  priceTicks: number;
  /** Expiry of an option: its intrinsic value in the future's ticks (0: expired worthless). */
  intrinsicTicks: number;
  /** Leases opened (physical delivery). */
  leases: number;
}

export const StakeChange = { Credit: 0, Release: 1, Slash: 2 } as const;
export type StakeChange = (typeof StakeChange)[keyof typeof StakeChange];
export const StakeChangeName = ['credit', 'release', 'slash'] as const;

/**
 * A provider's on-chain stake as the engine counts it changed (after the command's transfers):
 * credited (ChainStake), released (ReleaseStake) or slashed: a slash of a lease's collateral takes
 * the provider's stake first, so that much of it must move from the stake contract into the vault
 * (the settlement app's chain bridge executes the slash on chain with the exchange's signed failure
 * attestation). `leaseId` and `failedAtMs` name the failed lease of a slash ('' and 0 otherwise).
 */
export interface StakeChanged {
  type: typeof EventType.StakeChanged;
  seq: number;
  instrumentId: number;
  accountId: number;
  change: StakeChange;
  /** What changed, USDC minor units (> 0). */
  amountMinor: bigint;
  /** The account's stake after the change. */
  stakeMinor: bigint;
  leaseId: string;
  failedAtMs: number;
}

export type EngineEvent =
  | InstrumentListed
  | InstrumentStatusChanged
  | OrderAccepted
  | OrderRejected
  | Trade
  | OrderCancelled
  | OrderAmended
  | OrderExpired
  | OrderTriggered
  | BookDelta
  | LedgerTransfer
  | PositionChanged
  | Liquidation
  | LeaseStateChanged
  | InstrumentSettled
  | StakeChanged;

/**
 * A listener of the engine's applied batches: the events of commands [firstSeq, lastSeq] in the
 * binary codec (the bytes are the listener's to keep), and `decoded()`, which decodes them on first
 * use and gives every listener of the batch the same read-only array, so a batch is decoded once
 * however many listen.
 */
export type EngineBatchListener = (
  events: Uint8Array,
  firstSeq: number,
  lastSeq: number,
  decoded: () => readonly EngineEvent[],
) => void;
