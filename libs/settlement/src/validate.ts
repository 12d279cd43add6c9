/** Small shared checks. */

export function isPositiveSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

export function isSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** A user account id (positive safe integer; system accounts are negative). */
export function isUserAccount(v: unknown): v is number {
  return isPositiveSafeInt(v);
}

/** Floor of a / b for non-negative safe integers, exact even where the float quotient rounds up. */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

/** Ceiling of a / b for bigint a >= 0, b > 0. */
export function ceilDivBig(a: bigint, b: bigint): bigint {
  return a <= 0n ? 0n : (a + b - 1n) / b;
}
