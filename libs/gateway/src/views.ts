import {
  CancelReasonName,
  EventType,
  OrderFlags,
  OrderTypeName,
  REJECT_CODE_MEANING,
  Side,
  SideName,
  TimeInForceName,
  lotsToQuantity,
  ticksToPrice,
  type ContractSpec,
  type EngineEvent,
  type OrderAccepted,
  type RejectCode,
  type Trade,
} from '@exchange/domain';
import { errorBody, type ErrorBody, type FillView, type OrderStatus, type OrderView } from '@exchange/client';

/** Which request field an engine reject code is about (for the error body's `field`). */
const REJECT_FIELD: Partial<Record<RejectCode, string>> = {
  UNKNOWN_INSTRUMENT: 'instrument',
  INSTRUMENT_NOT_TRADING: 'instrument',
  INVALID_SIDE: 'side',
  INVALID_ORDER_TYPE: 'type',
  INVALID_TIME_IN_FORCE: 'timeInForce',
  INVALID_STP_MODE: 'stpMode',
  INVALID_TRIGGER_SOURCE: 'triggerSource',
  INVALID_PRICE: 'price',
  PRICE_NOT_ON_TICK: 'price',
  PRICE_OUT_OF_BAND: 'price',
  INVALID_QUANTITY: 'quantity',
  SIZE_NOT_ON_LOT: 'quantity',
  SIZE_BELOW_MINIMUM: 'quantity',
  SIZE_ABOVE_MAXIMUM: 'quantity',
  INVALID_DISPLAY_QUANTITY: 'displayQuantity',
  INVALID_STOP_PRICE: 'stopPrice',
  STOP_WOULD_TRIGGER_IMMEDIATELY: 'stopPrice',
  INVALID_EXPIRY: 'expireAtMs',
  EXPIRY_IN_PAST: 'expireAtMs',
  INVALID_CLIENT_ORDER_ID: 'clientOrderId',
  DUPLICATE_CLIENT_ORDER_ID: 'clientOrderId',
  POST_ONLY_WOULD_TAKE: 'postOnly',
  FOK_NOT_FILLABLE: 'timeInForce',
  REDUCE_ONLY_WOULD_INCREASE: 'reduceOnly',
};

export function rejectError(code: RejectCode): ErrorBody {
  return errorBody(code, REJECT_CODE_MEANING[code], REJECT_FIELD[code]);
}

export const price = (ticks: number, c: ContractSpec): string => ticksToPrice(ticks, c.tickSize);
export const qty = (lots: number, c: ContractSpec): string => lotsToQuantity(lots, c.lotSize);

/** The fill of one side of a trade: the taker's or the maker's. */
export function fillView(t: Trade, role: 'maker' | 'taker', symbol: string, c: ContractSpec): FillView {
  const taker = role === 'taker';
  const side = taker ? t.aggressorSide : t.aggressorSide === Side.Buy ? Side.Sell : Side.Buy;
  return {
    tradeId: t.tradeId,
    orderId: taker ? t.takerOrderId : t.makerOrderId,
    instrument: symbol,
    side: SideName[side],
    price: price(t.priceTicks, c),
    quantity: qty(t.qtyLots, c),
    liquidity: taker ? 'taker' : 'maker',
    seq: t.seq,
  };
}

function acceptedView(a: OrderAccepted, symbol: string, c: ContractSpec): OrderView {
  const stop = a.stopPriceTicks > 0;
  return {
    orderId: a.orderId,
    clientOrderId: a.clientOrderId,
    instrument: symbol,
    side: SideName[a.side],
    type: OrderTypeName[a.orderType],
    timeInForce: TimeInForceName[a.timeInForce],
    price: a.priceTicks > 0 ? price(a.priceTicks, c) : null,
    stopPrice: stop ? price(a.stopPriceTicks, c) : null,
    quantity: qty(a.qtyLots, c),
    filledQuantity: '0',
    remainingQuantity: qty(a.qtyLots, c),
    status: stop ? 'untriggered' : 'open',
    postOnly: (a.flags & OrderFlags.PostOnly) !== 0,
    reduceOnly: (a.flags & OrderFlags.ReduceOnly) !== 0,
    createdSeq: a.seq,
    updatedSeq: a.seq,
  };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** What became of a new order: its events in the batch are those carrying the seq of its command. */
export function placeOutcome(
  events: readonly EngineEvent[],
  seq: number,
  symbol: string,
  c: ContractSpec,
): Outcome<{ order: OrderView; fills: FillView[] }> {
  let order: OrderView | undefined;
  const fills: FillView[] = [];
  let filledLots = 0;
  let remainingLots = 0;
  let status: OrderStatus | undefined;
  for (const e of events) {
    if (e.seq !== seq) continue;
    if (e.type === EventType.OrderRejected) return { ok: false, error: rejectError(e.code) };
    if (e.type === EventType.OrderAccepted) {
      order = acceptedView(e, symbol, c);
      remainingLots = e.qtyLots;
    } else if (order === undefined) continue;
    else if (e.type === EventType.Trade && e.takerOrderId === order.orderId) {
      fills.push(fillView(e, 'taker', symbol, c));
      filledLots += e.qtyLots;
      remainingLots = e.takerRemainingLots;
      if (remainingLots === 0) status = 'filled';
    } else if (e.type === EventType.OrderCancelled && e.orderId === order.orderId) {
      remainingLots = e.remainingLots;
      if (remainingLots === 0) status = 'cancelled';
    }
  }
  if (order === undefined)
    return { ok: false, error: errorBody('INTERNAL', 'the engine did not answer for this order') };
  order.filledQuantity = qty(filledLots, c);
  order.remainingQuantity = qty(remainingLots, c);
  if (status !== undefined) order.status = status;
  return { ok: true, value: { order, fills } };
}

export interface AmendResult {
  orderId: number;
  price: string | null;
  stopPrice: string | null;
  remainingQuantity: string;
  priorityKept: boolean;
  fills: FillView[];
}

export function amendOutcome(
  events: readonly EngineEvent[],
  seq: number,
  symbol: string,
  c: ContractSpec,
): Outcome<AmendResult> {
  let result: AmendResult | undefined;
  for (const e of events) {
    if (e.seq !== seq) continue;
    if (e.type === EventType.OrderRejected) return { ok: false, error: rejectError(e.code) };
    if (e.type === EventType.OrderAmended) {
      result = {
        orderId: e.orderId,
        price: e.priceTicks > 0 ? price(e.priceTicks, c) : null,
        stopPrice: e.stopPriceTicks > 0 ? price(e.stopPriceTicks, c) : null,
        remainingQuantity: qty(e.remainingLots, c),
        priorityKept: e.priorityKept,
        fills: [],
      };
    } else if (result !== undefined && e.type === EventType.Trade && e.takerOrderId === result.orderId) {
      result.fills.push(fillView(e, 'taker', symbol, c));
      result.remainingQuantity = qty(e.takerRemainingLots, c);
    }
  }
  return result === undefined
    ? { ok: false, error: errorBody('INTERNAL', 'the engine did not answer for this amendment') }
    : { ok: true, value: result };
}

export function cancelOutcome(
  events: readonly EngineEvent[],
  seq: number,
  c: ContractSpec,
): Outcome<{ orderId: number; cancelledQuantity: string }> {
  for (const e of events) {
    if (e.seq !== seq) continue;
    if (e.type === EventType.OrderRejected) return { ok: false, error: rejectError(e.code) };
    if (e.type === EventType.OrderCancelled)
      return { ok: true, value: { orderId: e.orderId, cancelledQuantity: qty(e.cancelledLots, c) } };
  }
  return { ok: false, error: errorBody('INTERNAL', 'the engine did not answer for this cancel') };
}

/** Orders a mass cancel removed, by id. */
export function massCancelOutcome(
  events: readonly EngineEvent[],
  seq: number,
): Outcome<{ cancelled: number[] }> {
  const cancelled: number[] = [];
  for (const e of events) {
    if (e.seq !== seq) continue;
    if (e.type === EventType.OrderRejected) return { ok: false, error: rejectError(e.code) };
    if (e.type === EventType.OrderCancelled) cancelled.push(e.orderId);
  }
  return { ok: true, value: { cancelled } };
}

export const cancelReasonName = (reason: number): string => CancelReasonName[reason] ?? 'unknown';

/** An orders table row (as PostgreSQL returns it: bigints as strings). */
export interface OrderRow {
  order_id: string;
  instrument_id: number;
  client_order_id: string;
  side: number;
  order_type: number;
  time_in_force: number;
  flags: number;
  price_ticks: string;
  stop_price_ticks: string;
  qty_lots: string;
  filled_lots: string;
  remaining_lots: string;
  status: string;
  accepted_seq: string;
  updated_seq: string;
}

export function orderRowView(r: OrderRow, symbol: string, c: ContractSpec): OrderView {
  const priceTicks = Number(r.price_ticks);
  const stopTicks = Number(r.stop_price_ticks);
  return {
    orderId: Number(r.order_id),
    clientOrderId: r.client_order_id,
    instrument: symbol,
    side: SideName[r.side as 0 | 1],
    type: OrderTypeName[r.order_type as 0],
    timeInForce: TimeInForceName[r.time_in_force as 0],
    price: priceTicks > 0 ? price(priceTicks, c) : null,
    stopPrice: stopTicks > 0 ? price(stopTicks, c) : null,
    quantity: qty(Number(r.qty_lots), c),
    filledQuantity: qty(Number(r.filled_lots), c),
    remainingQuantity: qty(Number(r.remaining_lots), c),
    status: r.status as OrderStatus,
    postOnly: (r.flags & OrderFlags.PostOnly) !== 0,
    reduceOnly: (r.flags & OrderFlags.ReduceOnly) !== 0,
    createdSeq: Number(r.accepted_seq),
    updatedSeq: Number(r.updated_seq),
  };
}
