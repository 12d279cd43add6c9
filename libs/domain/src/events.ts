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
] as const;

/**
 * One double-entry ledger movement: `amountMinor` (> 0) of `asset` leaves `debitAccountId` and
 * reaches `creditAccountId`. System accounts have negative ids (see SYSTEM_ACCOUNTS). `instrumentId`
 * is the instrument that caused it (0 for deposits and withdrawals).
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
  | Liquidation;
