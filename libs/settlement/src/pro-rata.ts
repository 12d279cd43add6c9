import { floorDiv } from './validate';

/**
 * Exact integer pro-rata allocation.
 *
 * `proRataTransport(rows, cols)` splits a total between every (row, col) pair in proportion to both
 * sides: rows and cols are whole numbers with equal sums T, and the result x[i][j] is a matrix of
 * whole numbers whose row sums are rows[i] and column sums cols[j] exactly, with every cell the floor
 * of its exact quota rows[i] x cols[j] / T or one more. Rounding rule:
 *   1. every cell first gets the floor of its quota;
 *   2. what is left of each row (less than the number of cols) and of each column (less than the
 *      number of rows) is handed out one unit per cell: rows in their given order (FIFO: callers rank
 *      them oldest first), each row's units go to the columns with the most left to receive, ties to
 *      the column ranked first (FIFO). Giving each row to the columns with the largest remainders is
 *      Ryser's construction of a 0/1 matrix with given margins: it always completes (the fractional
 *      parts form such a matrix, so one exists), and no cell gets more than one extra unit.
 * The same input always gives the same output; cost is O(rows x cols) only for rows large enough to
 * have a non-zero floor somewhere, O(remainder) for the others.
 *
 * `apportion(total, weights)` is the one-dimensional case (Hamilton's largest remainder): floors
 * first, then one unit each to the largest remainders, ties to the lower index (FIFO).
 */
export interface TransportCell {
  readonly row: number;
  readonly col: number;
  readonly units: number;
}

/** floor(a x b / d) for non-negative safe integers, exact (bigint when the product is too large). */
export function mulDivFloor(a: number, b: number, d: number): number {
  const p = a * b;
  if (p + d <= Number.MAX_SAFE_INTEGER) return floorDiv(p, d);
  return Number((BigInt(a) * BigInt(b)) / BigInt(d));
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not a whole number of units: ${v}`);
    s += v;
  }
  if (!Number.isSafeInteger(s)) throw new RangeError('total is not a safe integer');
  return s;
}

export function apportion(total: number, weights: readonly number[]): number[] {
  const w = sum(weights);
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`bad total ${total}`);
  const out = weights.map(() => 0);
  if (total === 0) return out;
  if (w === 0) throw new RangeError('cannot apportion over zero weights');
  let left = total;
  const remainders: bigint[] = [];
  for (let j = 0; j < weights.length; j++) {
    out[j] = mulDivFloor(total, weights[j]!, w);
    left -= out[j]!;
    remainders.push((BigInt(total) * BigInt(weights[j]!)) % BigInt(w));
  }
  const order = weights.map((_, j) => j);
  order.sort((a, b) => (remainders[b]! > remainders[a]! ? 1 : remainders[b]! < remainders[a]! ? -1 : a - b));
  for (let k = 0; k < left; k++) out[order[k]!]!++;
  return out;
}

export function proRataTransport(rows: readonly number[], cols: readonly number[]): TransportCell[] {
  const out: TransportCell[] = [];
  proRataTransportEach(rows, cols, (row, col, units) => void out.push({ row, col, units }));
  return out;
}

/**
 * proRataTransport's cells handed to `cell` one by one, in the same order (rows ascending, each
 * row's columns ascending): callers that turn cells into their own records skip the cell objects.
 */
export function proRataTransportEach(
  rows: readonly number[],
  cols: readonly number[],
  cell: (row: number, col: number, units: number) => void,
): void {
  const total = sum(rows);
  if (sum(cols) !== total) throw new RangeError('rows and cols must have the same sum');
  const m = cols.length;
  if (total === 0) return;
  let colMax = 0;
  for (const c of cols) if (c > colMax) colMax = c;
  // a row whose largest quota is below one unit has only zero floors
  const hasFloors = (r: number) => mulDivFloor(r, colMax, total) > 0;
  const rowLeft = rows.slice();
  const colLeft = new Float64Array(cols);
  for (let i = 0; i < rows.length; i++) {
    if (!hasFloors(rows[i]!)) continue;
    for (let j = 0; j < m; j++) {
      const f = mulDivFloor(rows[i]!, cols[j]!, total);
      rowLeft[i]! -= f;
      colLeft[j]! -= f;
    }
  }
  const before = (x: number, y: number) => colLeft[x]! > colLeft[y]! || (colLeft[x] === colLeft[y] && x < y);
  const order = Int32Array.from(cols.map((_, j) => j)).sort((x, y) => (before(x, y) ? -1 : 1));
  const extra = new Uint8Array(m);
  // a row's remainder columns (the head of `order`), and the same in ascending column order
  const top = new Int32Array(m);
  const ascending = new Int32Array(m);
  for (let i = 0; i < rows.length; i++) {
    const r = rowLeft[i]!;
    if (r > m || (r > 0 && colLeft[order[r - 1]!]! <= 0))
      throw new Error(`pro-rata remainder of row ${i} cannot be placed (a defect)`);
    for (let k = 0; k < r; k++) {
      const j = order[k]!;
      top[k] = j;
      extra[j] = 1;
      colLeft[j]!--;
    }
    if (hasFloors(rows[i]!)) {
      for (let j = 0; j < m; j++) {
        const units = mulDivFloor(rows[i]!, cols[j]!, total) + extra[j]!;
        if (units > 0) cell(i, j, units);
      }
    } else {
      // usually a handful of columns: insertion sort; the typed array's numeric sort beyond that
      if (r <= 16) {
        for (let k = 0; k < r; k++) {
          const j = top[k]!;
          let at = k;
          for (; at > 0 && ascending[at - 1]! > j; at--) ascending[at] = ascending[at - 1]!;
          ascending[at] = j;
        }
      } else {
        ascending.set(top.subarray(0, r));
        ascending.subarray(0, r).sort();
      }
      for (let k = 0; k < r; k++) cell(i, ascending[k]!, 1);
    }
    for (let k = 0; k < r; k++) extra[top[k]!] = 0;
    // the decremented head merges back into the (still sorted) tail; once the head is placed the
    // rest of the tail is already where it belongs
    let w = 0;
    let b = r;
    let a = 0;
    while (a < r) {
      if (b < m && before(order[b]!, top[a]!)) order[w++] = order[b++]!;
      else order[w++] = top[a++]!;
    }
  }
}
