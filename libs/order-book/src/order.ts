import type { OrderType, Side, StpMode, TimeInForce, TriggerSource } from '@exchange/domain';

/** Per book and account: the account's open orders (in placement order) and client order ids. */
export class AccountOrders {
  count = 0;
  head: Order | null = null;
  tail: Order | null = null;
  byClientId: Map<string, Order> | null = null;

  constructor(readonly accountId: number) {}
}

/** Where a live order is: resting in a price level, or waiting in a stop list. */
export const OrderState = { Free: 0, Resting: 1, Stop: 2 } as const;
export type OrderState = (typeof OrderState)[keyof typeof OrderState];

/**
 * A live order. Objects are pooled by the book and reused, so nothing outside the book may keep a
 * reference to one after the command that handed it out.
 */
export class Order {
  orderId = 0;
  accountId = 0;
  clientOrderId = '';
  side: Side = 0;
  orderType: OrderType = 0;
  timeInForce: TimeInForce = 0;
  flags = 0;
  stpMode: StpMode = 0;
  triggerSource: TriggerSource = 0;
  priceTicks = 0;
  stopPriceTicks = 0;
  protectionPriceTicks = 0;
  expireAtMs = 0;
  /** Open quantity: visible plus hidden. */
  remainingLots = 0;
  /** The slice shown in the book (equals remainingLots unless this is an iceberg). */
  visibleLots = 0;
  /** Iceberg display size; 0 when the whole order shows. */
  displayLots = 0;
  state: OrderState = OrderState.Free;
  // price-level queue
  level: PriceLevel | null = null;
  prev: Order | null = null;
  next: Order | null = null;
  // the account's list
  account: AccountOrders | null = null;
  accPrev: Order | null = null;
  accNext: Order | null = null;
}

/** One price on one side: a FIFO queue of orders and its visible total. */
export class PriceLevel {
  priceTicks = 0;
  side: Side = 0;
  qtyLots = 0;
  count = 0;
  head: Order | null = null;
  tail: Order | null = null;
  /** Book-level command stamp of the first change in the current command, and the state before it. */
  touchStamp = 0;
  prevQtyLots = 0;
  prevCount = 0;

  pushBack(o: Order): void {
    o.level = this;
    o.next = null;
    o.prev = this.tail;
    if (this.tail === null) this.head = o;
    else this.tail.next = o;
    this.tail = o;
    this.qtyLots += o.visibleLots;
    this.count++;
  }

  unlink(o: Order): void {
    if (o.prev === null) this.head = o.next;
    else o.prev.next = o.next;
    if (o.next === null) this.tail = o.prev;
    else o.next.prev = o.prev;
    o.prev = null;
    o.next = null;
    o.level = null;
    this.qtyLots -= o.visibleLots;
    this.count--;
  }
}
