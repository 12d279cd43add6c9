import { type PriceLevel } from './order';

const BITS = 5;
const WIDTH = 1 << BITS;
const LOW = WIDTH - 1;

/** 32 consecutive prices: a bitmask of which have a level, and the levels. */
class Bucket {
  mask = 0;
  readonly levels: (PriceLevel | undefined)[] = new Array<PriceLevel | undefined>(WIDTH).fill(undefined);
  constructor(public key: number) {}
}

function highestBit(mask: number): number {
  return 31 - Math.clz32(mask);
}

function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}

/**
 * The price levels of one side of a book. Prices are grouped in buckets of 32 ticks; each bucket
 * keeps a bitmask of occupied prices, and the keys of non-empty buckets sit in a sorted array whose
 * end is the best bucket. Finding a level is one map lookup; finding the next best price after a
 * level empties is a bit scan, or a step to the neighbouring bucket. Near the top of the book, where
 * nearly all activity is, inserting or dropping a bucket touches only the end of the array.
 */
export class PriceLadder {
  private readonly buckets = new Map<number, Bucket>();
  /** Keys of non-empty buckets, worst first, best last (bids ascending, asks descending). */
  private readonly keys: number[] = [];
  private readonly freeBuckets: Bucket[] = [];
  best: PriceLevel | null = null;
  levelCount = 0;

  constructor(readonly isBid: boolean) {}

  get(priceTicks: number): PriceLevel | undefined {
    const b = this.buckets.get(priceTicks >>> BITS);
    return b === undefined ? undefined : b.levels[priceTicks & LOW];
  }

  /** True when price a is better than price b on this side. */
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  insert(level: PriceLevel): void {
    const key = level.priceTicks >>> BITS;
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = this.freeBuckets.pop() ?? new Bucket(key);
      b.key = key;
      this.buckets.set(key, b);
      insertAt(this.keys, this.searchKey(key), key);
    }
    const bit = level.priceTicks & LOW;
    b.mask |= 1 << bit;
    b.levels[bit] = level;
    this.levelCount++;
    if (this.best === null || this.better(level.priceTicks, this.best.priceTicks)) this.best = level;
  }

  remove(level: PriceLevel): void {
    const key = level.priceTicks >>> BITS;
    const b = this.buckets.get(key)!;
    const bit = level.priceTicks & LOW;
    b.mask &= ~(1 << bit);
    b.levels[bit] = undefined;
    this.levelCount--;
    if (b.mask === 0) {
      this.buckets.delete(key);
      removeAt(this.keys, this.searchKey(key));
      this.freeBuckets.push(b);
    }
    if (this.best === level) this.best = this.bestOf();
  }

  /** The next worse level after `level`, or null. */
  next(level: PriceLevel): PriceLevel | null {
    const key = level.priceTicks >>> BITS;
    const bit = level.priceTicks & LOW;
    const b = this.buckets.get(key)!;
    const rest = this.isBid ? b.mask & ((1 << bit) - 1) : bit === LOW ? 0 : b.mask & (~0 << (bit + 1));
    if (rest !== 0) return b.levels[this.isBid ? highestBit(rest) : lowestBit(rest)]!;
    const i = this.searchKey(key);
    if (i === 0) return null;
    return this.bestIn(this.buckets.get(this.keys[i - 1]!)!);
  }

  /** Visits levels from best to worst until `visit` returns false. */
  forEach(visit: (level: PriceLevel) => boolean | void): void {
    for (let level = this.best; level !== null; level = this.next(level)) if (visit(level) === false) return;
  }

  private bestOf(): PriceLevel | null {
    const n = this.keys.length;
    return n === 0 ? null : this.bestIn(this.buckets.get(this.keys[n - 1]!)!);
  }

  private bestIn(b: Bucket): PriceLevel {
    return b.levels[this.isBid ? highestBit(b.mask) : lowestBit(b.mask)]!;
  }

  /** Index of `key` in `keys`, or where it would be inserted. */
  private searchKey(key: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    // fast path: at or next to the best end
    if (hi > 0 && keys[hi - 1] === key) return hi - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k === key) return mid;
      if (this.isBid ? k < key : k > key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Array insert and remove without splice (which allocates its result array). */
function insertAt(a: number[], i: number, v: number): void {
  let j = a.length;
  a.push(v);
  for (; j > i; j--) a[j] = a[j - 1]!;
  a[i] = v;
}

function removeAt(a: number[], i: number): void {
  const n = a.length - 1;
  for (let j = i; j < n; j++) a[j] = a[j + 1]!;
  a.pop();
}
