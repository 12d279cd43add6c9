import type { Order } from './order';

const EMPTY = 0;
const DELETED = -1;

function slotOf(orderId: number, mask: number): number {
  // Fibonacci hashing of the low and high 32 bits (order ids are positive safe integers)
  const h = Math.imul(orderId | 0, 0x9e3779b1) ^ Math.imul((orderId / 4294967296) | 0, 0x85ebca6b);
  return (h ^ (h >>> 16)) & mask;
}

/**
 * Live orders by id: an open-addressing hash table (linear probing) over a Float64Array of keys and
 * an array of orders. Compared with a Map it needs fewer memory reads per lookup, and it never
 * reallocates while the book's size is steady (deleted slots are reused), which matters on deep
 * books where every lookup is a cache miss. It grows at half load and rebuilds when deleted slots
 * pile up.
 */
export class OrderIndex {
  size = 0;
  private keys: Float64Array;
  private orders: (Order | undefined)[];
  private mask: number;
  /** Slots that are live or deleted (not empty). */
  private used = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.keys = new Float64Array(n);
    this.orders = new Array<Order | undefined>(n).fill(undefined);
    this.mask = n - 1;
  }

  get(orderId: number): Order | undefined {
    const keys = this.keys;
    for (let i = slotOf(orderId, this.mask); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === orderId) return this.orders[i];
      if (k === EMPTY) return undefined;
    }
  }

  set(orderId: number, order: Order): void {
    if ((this.used + 1) * 2 > this.keys.length)
      this.rebuild(this.size * 4 > this.keys.length ? this.keys.length * 2 : this.keys.length);
    const keys = this.keys;
    let free = -1;
    for (let i = slotOf(orderId, this.mask); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === orderId) {
        this.orders[i] = order;
        return;
      }
      if (k === DELETED && free < 0) free = i;
      if (k === EMPTY) {
        if (free < 0) {
          free = i;
          this.used++;
        }
        keys[free] = orderId;
        this.orders[free] = order;
        this.size++;
        return;
      }
    }
  }

  delete(orderId: number): void {
    const keys = this.keys;
    for (let i = slotOf(orderId, this.mask); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === orderId) {
        keys[i] = DELETED;
        this.orders[i] = undefined;
        this.size--;
        return;
      }
      if (k === EMPTY) return;
    }
  }

  /** Every live order (in no particular order). */
  all(): Order[] {
    const out: Order[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i]! > 0) out.push(this.orders[i]!);
    return out;
  }

  private rebuild(capacity: number): void {
    const keys = this.keys;
    const orders = this.orders;
    this.keys = new Float64Array(capacity);
    this.orders = new Array<Order | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.size = 0;
    this.used = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i]! > 0) this.set(keys[i]!, orders[i]!);
  }
}
