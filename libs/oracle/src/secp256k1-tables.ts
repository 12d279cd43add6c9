import { secp256k1 } from '@noble/curves/secp256k1';
import { normalizeZ } from '@noble/curves/abstract/curve';

/**
 * Fixed-base multiplication on secp256k1 for signature checks (public data only: not constant
 * time). A point's multiples are precomputed once as affine wNAF tables; a product is then at most
 * one mixed Jacobian-affine addition per window, with a secp256k1-specific field reduction
 * (2^256 = 2^32 + 977 mod p) instead of a generic bigint remainder. Differentially tested against
 * @noble/curves.
 */
type NoblePoint = InstanceType<typeof secp256k1.Point>;
const NoblePoint = secp256k1.Point;
export const FIELD_P = NoblePoint.Fp.ORDER;
const MASK_256 = (1n << 256n) - 1n;
const FOLD = 0x1000003d1n;

function reduce(x: bigint): bigint {
  x = (x & MASK_256) + (x >> 256n) * FOLD;
  x = (x & MASK_256) + (x >> 256n) * FOLD;
  while (x >= FIELD_P) x -= FIELD_P;
  return x;
}

function sub(a: bigint, b: bigint): bigint {
  const d = a - b;
  return d < 0n ? d + FIELD_P : d;
}

/** A Jacobian point: x = X / Z^2, y = Y / Z^3; Z = 0 is infinity. */
export interface Jacobian {
  X: bigint;
  Y: bigint;
  Z: bigint;
}

export interface FixedBaseTable {
  readonly window: number;
  readonly windows: number;
  /** Affine x and y of k * 2^(window*j) * P for k = 1..2^(window-1), flattened per window j. */
  readonly xs: bigint[];
  readonly ys: bigint[];
}

export function buildTable(point: NoblePoint, window: number): FixedBaseTable {
  const windows = Math.ceil(256 / window) + 1;
  const half = 2 ** (window - 1);
  const points: NoblePoint[] = [];
  let p = point;
  for (let j = 0; j < windows; j++) {
    let acc = p;
    points.push(acc);
    for (let k = 1; k < half; k++) points.push((acc = acc.add(p)));
    p = acc.double();
  }
  const affine = normalizeZ(NoblePoint, points);
  return { window, windows, xs: affine.map((q) => q.X), ys: affine.map((q) => q.Y) };
}

function double(a: Jacobian): void {
  // dbl-2009-l (a = 0)
  const A = reduce(a.X * a.X);
  const B = reduce(a.Y * a.Y);
  const C = reduce(B * B);
  let D = reduce((a.X + B) * (a.X + B));
  D = sub(sub(D, A), C);
  D = reduce(D * 2n);
  const E = reduce(A * 3n);
  const F = reduce(E * E);
  const X3 = sub(F, reduce(D * 2n));
  const Y3 = sub(reduce(E * sub(D, X3)), reduce(C * 8n));
  a.Z = reduce(a.Y * a.Z * 2n);
  a.X = X3;
  a.Y = Y3;
}

/** acc += (x2, y2) in place (madd-2007-bl), with the doubling and inverse cases handled. */
function addAffine(acc: Jacobian, x2: bigint, y2: bigint): void {
  if (acc.Z === 0n) {
    acc.X = x2;
    acc.Y = y2;
    acc.Z = 1n;
    return;
  }
  const Z1Z1 = reduce(acc.Z * acc.Z);
  const U2 = reduce(x2 * Z1Z1);
  const S2 = reduce(y2 * reduce(acc.Z * Z1Z1));
  const H = sub(U2, acc.X);
  const r = sub(S2, acc.Y);
  if (H === 0n) {
    if (r === 0n) double(acc);
    else acc.Z = 0n;
    return;
  }
  const HH = reduce(H * H);
  const I = reduce(HH * 4n);
  const J = reduce(H * I);
  const rr = reduce(r * 2n);
  const V = reduce(acc.X * I);
  const X3 = sub(sub(reduce(rr * rr), J), reduce(V * 2n));
  const Y3 = sub(reduce(rr * sub(V, X3)), reduce(acc.Y * J * 2n));
  const Z3 = reduce(reduce((acc.Z + H) * (acc.Z + H)) - Z1Z1 - HH + 2n * FIELD_P);
  acc.X = X3;
  acc.Y = Y3;
  acc.Z = Z3;
}

/** acc += scalar * P using P's table (wNAF digits, one table entry per non-zero window). */
export function addMultiple(acc: Jacobian, table: FixedBaseTable, scalar: bigint): void {
  const w = table.window;
  const half = 2 ** (w - 1);
  const full = 2 ** w;
  const mask = BigInt(full - 1);
  const shift = BigInt(w);
  let n = scalar;
  for (let j = 0; j < table.windows && n !== 0n; j++) {
    let digit = Number(n & mask);
    n >>= shift;
    if (digit > half) {
      digit -= full;
      n += 1n;
    }
    if (digit === 0) continue;
    const offset = j * half + Math.abs(digit) - 1;
    const y = table.ys[offset]!;
    addAffine(acc, table.xs[offset]!, digit < 0 ? FIELD_P - y : y);
  }
  if (n !== 0n) throw new RangeError('scalar too large for the table');
}
