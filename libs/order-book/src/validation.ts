import {
  ALL_ORDER_FLAGS,
  OrderFlags,
  OrderType,
  StpMode,
  TimeInForce,
  TriggerSource,
  type AmendOrder,
  type BookSpec,
  type PlaceOrder,
  type RejectCode,
} from '@exchange/domain';

/**
 * Stateless checks of a command against the contract spec. They run before anything changes; the
 * first failing check decides the reject code, in the order written here.
 */

export const MAX_CLIENT_ORDER_ID_LENGTH = 64;

export function clientOrderIdValid(id: string): boolean {
  if (typeof id !== 'string' || id.length > MAX_CLIENT_ORDER_ID_LENGTH) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

export function accountIdValid(accountId: number): boolean {
  return Number.isSafeInteger(accountId) && accountId > 0;
}

export const isStop = (orderType: OrderType): boolean =>
  orderType === OrderType.StopLimit || orderType === OrderType.StopMarket;
export const hasLimitPrice = (orderType: OrderType): boolean =>
  orderType === OrderType.Limit || orderType === OrderType.StopLimit;
export const canRest = (orderType: OrderType, tif: TimeInForce): boolean =>
  hasLimitPrice(orderType) && (tif === TimeInForce.GTC || tif === TimeInForce.GTD);

/** Price in ticks: null when fine, else the code. */
export function priceProblem(
  spec: BookSpec,
  priceTicks: number,
  badCode: RejectCode = 'INVALID_PRICE',
): RejectCode | null {
  if (typeof priceTicks !== 'number' || !Number.isFinite(priceTicks) || priceTicks <= 0) return badCode;
  if (!Number.isInteger(priceTicks)) return 'PRICE_NOT_ON_TICK';
  if (priceTicks < spec.minPriceTicks || priceTicks > spec.maxPriceTicks) return badCode;
  return null;
}

/** Quantity in lots; the minimum applies to new orders only (amendments may go below it). */
export function quantityProblem(spec: BookSpec, qtyLots: number, checkMinimum: boolean): RejectCode | null {
  if (typeof qtyLots !== 'number' || !Number.isFinite(qtyLots) || qtyLots <= 0) return 'INVALID_QUANTITY';
  if (!Number.isInteger(qtyLots)) return 'SIZE_NOT_ON_LOT';
  if (checkMinimum && qtyLots < spec.minSizeLots) return 'SIZE_BELOW_MINIMUM';
  if (qtyLots > spec.maxSizeLots) return 'SIZE_ABOVE_MAXIMUM';
  return null;
}

function shapeProblem(c: PlaceOrder): RejectCode | null {
  if (!accountIdValid(c.accountId)) return 'INVALID_ACCOUNT';
  if (c.side !== 0 && c.side !== 1) return 'INVALID_SIDE';
  if (!(
    c.orderType >= OrderType.Limit &&
    c.orderType <= OrderType.StopMarket &&
    Number.isInteger(c.orderType)
  )) {
    return 'INVALID_ORDER_TYPE';
  }
  const tif = c.timeInForce;
  if (!(tif >= TimeInForce.GTC && tif <= TimeInForce.GTD && Number.isInteger(tif)))
    return 'INVALID_TIME_IN_FORCE';
  if (c.orderType === OrderType.Market && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK)
    return 'INVALID_TIME_IN_FORCE';
  if (c.orderType === OrderType.StopMarket && tif !== TimeInForce.GTC && tif !== TimeInForce.GTD)
    return 'INVALID_TIME_IN_FORCE';
  if (!(c.stpMode >= StpMode.None && c.stpMode <= StpMode.Decrement && Number.isInteger(c.stpMode)))
    return 'INVALID_STP_MODE';
  const src = c.triggerSource;
  if (!(src >= TriggerSource.LastPrice && src <= TriggerSource.IndexPrice && Number.isInteger(src)))
    return 'INVALID_TRIGGER_SOURCE';
  if (!Number.isInteger(c.flags) || (c.flags & ~ALL_ORDER_FLAGS) !== 0) return 'INVALID_FLAGS';
  if (c.flags & OrderFlags.PostOnly && !(c.orderType === OrderType.Limit && canRest(c.orderType, tif)))
    return 'INVALID_FLAGS';
  if (!clientOrderIdValid(c.clientOrderId)) return 'INVALID_CLIENT_ORDER_ID';
  return null;
}

function priceFieldsProblem(spec: BookSpec, c: PlaceOrder): RejectCode | null {
  if (hasLimitPrice(c.orderType)) {
    const p = priceProblem(spec, c.priceTicks);
    if (p !== null) return p;
  } else if (c.priceTicks !== 0) return 'INVALID_PRICE';
  if (isStop(c.orderType)) {
    const p = priceProblem(spec, c.stopPriceTicks, 'INVALID_STOP_PRICE');
    if (p !== null) return p;
  } else if (c.stopPriceTicks !== 0) return 'INVALID_STOP_PRICE';
  const marketLike = c.orderType === OrderType.Market || c.orderType === OrderType.StopMarket;
  if (marketLike) {
    if (c.protectionPriceTicks !== 0) {
      const p = priceProblem(spec, c.protectionPriceTicks);
      if (p !== null) return p;
    }
  } else if (c.protectionPriceTicks !== 0) return 'INVALID_PRICE';
  return null;
}

function sizeAndTimeProblem(spec: BookSpec, c: PlaceOrder, nowMs: number): RejectCode | null {
  const q = quantityProblem(spec, c.qtyLots, true);
  if (q !== null) return q;
  if (c.displayLots !== 0) {
    const d = c.displayLots;
    if (!canRest(c.orderType, c.timeInForce) || typeof d !== 'number' || !Number.isInteger(d))
      return 'INVALID_DISPLAY_QUANTITY';
    if (d < spec.minSizeLots || d > c.qtyLots) return 'INVALID_DISPLAY_QUANTITY';
  }
  if (c.timeInForce === TimeInForce.GTD) {
    if (!Number.isSafeInteger(c.expireAtMs) || c.expireAtMs <= 0) return 'INVALID_EXPIRY';
    if (c.expireAtMs <= nowMs) return 'EXPIRY_IN_PAST';
  } else if (c.expireAtMs !== 0) return 'INVALID_EXPIRY';
  if (c.flags & OrderFlags.ReduceOnly && !Number.isSafeInteger(c.positionLots))
    return 'REDUCE_ONLY_WOULD_INCREASE';
  return null;
}

/** Every check of a new order that does not need the book's state. */
export function placeProblem(spec: BookSpec, c: PlaceOrder, nowMs: number): RejectCode | null {
  return shapeProblem(c) ?? priceFieldsProblem(spec, c) ?? sizeAndTimeProblem(spec, c, nowMs);
}

/** Field checks of an amendment (0 keeps a field). */
export function amendFieldsProblem(spec: BookSpec, c: AmendOrder): RejectCode | null {
  if (!accountIdValid(c.accountId)) return 'INVALID_ACCOUNT';
  if (c.priceTicks !== 0) {
    const p = priceProblem(spec, c.priceTicks);
    if (p !== null) return p;
  }
  if (c.qtyLots !== 0) {
    const q = quantityProblem(spec, c.qtyLots, false);
    if (q !== null) return q;
  }
  if (c.stopPriceTicks !== 0) {
    const p = priceProblem(spec, c.stopPriceTicks, 'INVALID_STOP_PRICE');
    if (p !== null) return p;
  }
  return null;
}
