/**
 * Enumerations shared by the book, the codec, the API and the database. In the cores they are small
 * integers (fast to compare, one byte on the wire); `*Name` tables give the stable names used in JSON.
 * Values are append-only: a value, once published, keeps its number forever (the journal depends on it).
 */

export const Side = { Buy: 0, Sell: 1 } as const;
export type Side = (typeof Side)[keyof typeof Side];
export const SideName = ['buy', 'sell'] as const;

export const OrderType = { Limit: 0, Market: 1, StopLimit: 2, StopMarket: 3 } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];
export const OrderTypeName = ['limit', 'market', 'stop_limit', 'stop_market'] as const;

/** GTC rests until cancelled; GTD until `expireAtMs` (command time); IOC and FOK never rest. */
export const TimeInForce = { GTC: 0, IOC: 1, FOK: 2, GTD: 3 } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];
export const TimeInForceName = ['GTC', 'IOC', 'FOK', 'GTD'] as const;

/**
 * Self-trade prevention, decided by the taker's mode when taker and maker share an account.
 * - CancelNewest: the taker's remainder is cancelled; the maker stays.
 * - CancelOldest: the maker is cancelled; the taker goes on matching.
 * - CancelBoth: both are cancelled.
 * - Decrement: both are reduced by the smaller quantity without a trade; whichever reaches zero is
 *   cancelled (so the smaller one is cancelled, the larger one goes on with what is left).
 */
export const StpMode = { None: 0, CancelNewest: 1, CancelOldest: 2, CancelBoth: 3, Decrement: 4 } as const;
export type StpMode = (typeof StpMode)[keyof typeof StpMode];
export const StpModeName = ['none', 'cancel_newest', 'cancel_oldest', 'cancel_both', 'decrement'] as const;

/** Which reference price triggers a stop order. */
export const TriggerSource = { LastPrice: 0, MarkPrice: 1, IndexPrice: 2 } as const;
export type TriggerSource = (typeof TriggerSource)[keyof typeof TriggerSource];
export const TriggerSourceName = ['last_price', 'mark_price', 'index_price'] as const;

/** Bit flags on an order. */
export const OrderFlags = { None: 0, PostOnly: 1, ReduceOnly: 2 } as const;
export const ALL_ORDER_FLAGS = OrderFlags.PostOnly | OrderFlags.ReduceOnly;

/** Why an order (or part of one) left the book without trading. */
export const CancelReason = {
  User: 0,
  MassCancel: 1,
  /** The unfilled remainder of an IOC order, or of a market order within its protection price. */
  Unfilled: 2,
  SelfTrade: 3,
  InstrumentHalted: 4,
  Liquidation: 5,
  /** The instrument reached its last trading time: resting orders leave before settlement. */
  InstrumentExpired: 6,
} as const;
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];
export const CancelReasonName = [
  'user',
  'mass_cancel',
  'unfilled',
  'self_trade',
  'instrument_halted',
  'liquidation',
  'instrument_expired',
] as const;

/** Trading status of an instrument. */
export const InstrumentStatus = { Trading: 0, Halted: 1, Closed: 2 } as const;
export type InstrumentStatus = (typeof InstrumentStatus)[keyof typeof InstrumentStatus];
export const InstrumentStatusName = ['trading', 'halted', 'closed'] as const;

/** Parses a stable name back to its value; undefined when unknown. */
export function parseEnumName<T extends number>(names: readonly string[], name: string): T | undefined {
  const index = names.indexOf(name);
  return index < 0 ? undefined : (index as T);
}
