/**
 * Integer-exact robust statistics on safe integers (micro-USDC values, integer weights).
 */
export interface Weighted {
  readonly value: number;
  readonly weight: number;
}

/**
 * Lower weighted quantile: the smallest value whose cumulative weight reaches q x total weight.
 * `sorted` must be ordered by value; weights positive. q = 1/2 is the weighted median, whose
 * breakdown point is one half of the weight.
 */
export function weightedQuantile(sorted: readonly Weighted[], q: number): number {
  let total = 0;
  for (const s of sorted) total += s.weight;
  const target = q * total;
  let cumulative = 0;
  for (const s of sorted) {
    cumulative += s.weight;
    if (cumulative >= target) return s.value;
  }
  return sorted[sorted.length - 1]!.value;
}

export function sortByValue<T extends Weighted>(items: T[]): T[] {
  return items.sort((a, b) => a.value - b.value);
}

/** Median of plain numbers (upper middle for even counts); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1];
}

/** round(a / b), ties to even, for non-negative safe integers a and positive b. */
export function divRoundHalfEven(a: number, b: number): number {
  let q = Math.floor(a / b);
  let r = a - q * b;
  // float division may be one off for large operands: correct with the exact remainder
  while (r < 0) {
    q--;
    r += b;
  }
  while (r >= b) {
    q++;
    r -= b;
  }
  const twice = 2 * r;
  if (twice > b || (twice === b && q % 2 === 1)) q++;
  return q;
}

const TWO_POW_53 = 2 ** 53;

/**
 * Indices of `values` in ascending order of value, ties by index. Fast path, for non-negative
 * integers: sorts exact keys value x n + index in a Float64Array (native sort, no comparator)
 * whenever they stay below 2^53; otherwise a comparator sort.
 */
export function sortedOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  const order = new Uint32Array(n);
  sortedOrderInto(values, n, order, new Float64Array(n));
  return order;
}

/** sortedOrder of values[0..n) into order[0..n), with `keys` (length >= n) as scratch. */
export function sortedOrderInto(
  values: Float64Array,
  n: number,
  order: Uint32Array,
  keys: Float64Array,
): void {
  let max = 0;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v > max) max = v;
    if (!Number.isInteger(v) || v < 0) integers = false;
  }
  if (integers && (max + 1) * n < TWO_POW_53) {
    for (let i = 0; i < n; i++) keys[i] = values[i]! * n + i;
    const sorted = keys.subarray(0, n).sort();
    for (let k = 0; k < n; k++) {
      // key = value x n + index: the quotient's float rounding may be one off, the remainder is exact
      const key = sorted[k]!;
      let i = key - Math.floor(key / n) * n;
      if (i < 0) i += n;
      else if (i >= n) i -= n;
      order[k] = i;
    }
    return;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  order.subarray(0, n).sort((a, b) => values[a]! - values[b]! || a - b);
}

/** Lower weighted quantile over `order` (ascending indices into values/weights); see weightedQuantile. */
export function weightedQuantileOf(
  values: Float64Array,
  weights: Float64Array,
  order: Uint32Array,
  q: number,
  include?: Uint8Array,
): number {
  return quantileOf(values, weights, order, order.length, q, include);
}

/** weightedQuantileOf over the first n entries of `order`. */
export function quantileOf(
  values: Float64Array,
  weights: Float64Array,
  order: Uint32Array,
  n: number,
  q: number,
  include?: Uint8Array,
): number {
  let total = 0;
  for (let k = 0; k < n; k++)
    if (include === undefined || include[order[k]!] === 1) total += weights[order[k]!]!;
  const target = q * total;
  let cumulative = 0;
  let last = Number.NaN;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (include !== undefined && include[i] !== 1) continue;
    cumulative += weights[i]!;
    last = values[i]!;
    if (cumulative >= target) return last;
  }
  return last;
}

/**
 * Lower weighted quantile of the deviations |values[i] - center| (total: their summed weight),
 * given `order` ascending by value, without sorting the deviations: they descend to the left of
 * the first value >= center and ascend from it, so merging the two runs visits them in ascending
 * order. Equal deviations may be visited in another order than a sort with ties by index would
 * use; that cannot change the result while partial sums of the weights are exact (integer weights,
 * total <= 2^53), which the caller must ensure.
 */
export function deviationQuantileOf(
  values: Float64Array,
  weights: Float64Array,
  order: Uint32Array,
  n: number,
  center: number,
  q: number,
  total: number,
): number {
  // right: the first position whose value is >= center (binary search)
  let right = 0;
  let end = n;
  while (right < end) {
    const m = (right + end) >>> 1;
    if (values[order[m]!]! < center) right = m + 1;
    else end = m;
  }
  let left = right - 1;
  const target = q * total;
  let cumulative = 0;
  let last = Number.NaN;
  while (left >= 0 || right < n) {
    let i: number;
    if (right >= n || (left >= 0 && center - values[order[left]!]! <= values[order[right]!]! - center)) {
      i = order[left--]!;
      last = center - values[i]!;
    } else {
      i = order[right++]!;
      last = values[i]! - center;
    }
    cumulative += weights[i]!;
    if (cumulative >= target) return last;
  }
  return last;
}
