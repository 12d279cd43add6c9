/** A due time for a GTD order. */
export interface Expiry {
  expireAtMs: number;
  orderId: number;
  instrumentId: number;
}

function before(a: Expiry, b: Expiry): boolean {
  return a.expireAtMs < b.expireAtMs || (a.expireAtMs === b.expireAtMs && a.orderId < b.orderId);
}

/**
 * Min-heap of GTD expiries by (time, order id). Entries of orders that ended earlier stay until they
 * come up and are then ignored by the book, which is cheaper than removing them eagerly.
 */
export class ExpiryHeap {
  private readonly items: Expiry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Expiry | undefined {
    return this.items[0];
  }

  push(e: Expiry): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): Expiry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
