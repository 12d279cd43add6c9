import { Side } from '@exchange/domain';
import type { Order } from './order';

/**
 * Untriggered stop orders of one side and one trigger source, kept so that the next to trigger is
 * at the end of the array. A buy stop triggers when the reference price rises to its stop price or
 * above; a sell stop when it falls to its stop price or below. Among stops triggered together, the
 * nearest stop price goes first, then the oldest order.
 */
export class StopList {
  readonly orders: Order[] = [];

  constructor(readonly side: Side) {}

  /** True when a triggers before b. */
  private first(a: Order, b: Order): boolean {
    if (a.stopPriceTicks !== b.stopPriceTicks) {
      return this.side === Side.Buy
        ? a.stopPriceTicks < b.stopPriceTicks
        : a.stopPriceTicks > b.stopPriceTicks;
    }
    return a.orderId < b.orderId;
  }

  /** Index of the first element that triggers before o (o goes right before it). */
  private position(o: Order): number {
    const a = this.orders;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.first(a[mid]!, o)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  insert(o: Order): void {
    this.orders.splice(this.position(o), 0, o);
  }

  remove(o: Order): void {
    const i = this.position(o) - 1;
    if (this.orders[i] !== o) throw new Error(`stop order ${o.orderId} is not in its list`);
    this.orders.splice(i, 1);
  }

  /** The next stop to trigger if the reference price is `priceTicks`, else undefined. */
  due(priceTicks: number): Order | undefined {
    const o = this.orders[this.orders.length - 1];
    if (o === undefined || priceTicks <= 0) return undefined;
    return (this.side === Side.Buy ? priceTicks >= o.stopPriceTicks : priceTicks <= o.stopPriceTicks)
      ? o
      : undefined;
  }

  /** Whether a stop at this price would trigger at once. */
  static wouldTrigger(side: Side, stopPriceTicks: number, referenceTicks: number): boolean {
    if (referenceTicks <= 0) return false;
    return side === Side.Buy ? referenceTicks >= stopPriceTicks : referenceTicks <= stopPriceTicks;
  }
}
