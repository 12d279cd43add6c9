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

/**
 * The items ordered by account id ascending: the array itself when it already is (the risk stage
 * lists positions that way), else a sorted copy (stable: equal ids keep their order).
 */
export function byAccount<T extends { readonly accountId: number }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++)
    if (!(items[i - 1]!.accountId <= items[i]!.accountId))
      return [...items].sort((a, b) => a.accountId - b.accountId);
  return items;
}

/**
 * Finds repeated accounts among items checked one by one in order (the same answers as a set of
 * the ids seen so far): while the ids ascend no set is needed; from the first that does not, a set
 * of the ids seen so far decides.
 */
export class DuplicateAccounts {
  private last = -Infinity;
  private seen: Set<number> | null = null;

  constructor(private readonly items: readonly { readonly accountId: number }[]) {}

  /** Whether item i (given in order, each once) repeats an earlier item's account. */
  repeats(i: number): boolean {
    const id = this.items[i]!.accountId;
    if (this.seen === null) {
      if (id > this.last) {
        this.last = id;
        return false;
      }
      this.seen = new Set();
      for (let k = 0; k < i; k++) this.seen.add(this.items[k]!.accountId);
    }
    if (this.seen.has(id)) return true;
    this.seen.add(id);
    return false;
  }
}
