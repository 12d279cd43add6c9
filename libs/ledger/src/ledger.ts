import { SystemAccount } from '@exchange/domain';

/**
 * The double-entry ledger: balances per account and asset, changed only by transfers that take an
 * amount from one account and give it to another. Nothing is created or destroyed inside it, so
 * for every asset the balances of all accounts (users and system accounts, External included) sum
 * to zero; deposits and withdrawals are transfers with SystemAccount.External. Amounts are bigint
 * minor units (whole tokens for spot GPU-hour tokens). The ledger checks nothing about
 * sufficiency: the risk stage decides what may move before it moves.
 */
export interface LedgerEntry {
  readonly debitAccountId: number;
  readonly creditAccountId: number;
  readonly asset: string;
  readonly amountMinor: bigint;
}

export class Ledger {
  /** account id -> asset -> balance */
  private readonly balances = new Map<number, Map<string, bigint>>();

  balance(accountId: number, asset: string): bigint {
    return this.balances.get(accountId)?.get(asset) ?? 0n;
  }

  /** Moves `amountMinor` (> 0) of `asset` from `debitAccountId` to `creditAccountId`. */
  transfer(debitAccountId: number, creditAccountId: number, asset: string, amountMinor: bigint): void {
    if (amountMinor <= 0n) throw new RangeError(`transfer amount must be positive, got ${amountMinor}`);
    if (debitAccountId === creditAccountId)
      throw new RangeError(`transfer to the same account ${debitAccountId}`);
    this.add(debitAccountId, asset, -amountMinor);
    this.add(creditAccountId, asset, amountMinor);
  }

  private add(accountId: number, asset: string, delta: bigint): void {
    let assets = this.balances.get(accountId);
    if (assets === undefined) this.balances.set(accountId, (assets = new Map()));
    assets.set(asset, (assets.get(asset) ?? 0n) + delta);
  }

  /** Balances of one account, by asset (zero balances included once an asset has moved). */
  accountBalances(accountId: number): ReadonlyMap<string, bigint> {
    return this.balances.get(accountId) ?? new Map();
  }

  /** Every asset's sum over all accounts; conservation means every value is 0n. */
  totals(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const assets of this.balances.values())
      for (const [asset, v] of assets) out.set(asset, (out.get(asset) ?? 0n) + v);
    return out;
  }

  /**
   * Checks conservation: each asset sums to zero over all accounts, that is, users plus fees, the
   * insurance fund and clearing hold exactly the net deposits. Returns the problems (empty if none).
   */
  conservationProblems(): string[] {
    const problems: string[] = [];
    for (const [asset, total] of this.totals())
      if (total !== 0n) problems.push(`${asset}: balances sum to ${total}, not 0`);
    return problems;
  }

  /** Net deposits of an asset (what users, fees, insurance and clearing hold together). */
  netDeposits(asset: string): bigint {
    return -this.balance(SystemAccount.External, asset);
  }

  /** Canonical form: accounts ascending, assets ascending, non-zero balances only. */
  entries(): [number, string, bigint][] {
    const out: [number, string, bigint][] = [];
    for (const id of [...this.balances.keys()].sort((a, b) => a - b)) {
      const assets = this.balances.get(id)!;
      for (const asset of [...assets.keys()].sort()) {
        const v = assets.get(asset)!;
        if (v !== 0n) out.push([id, asset, v]);
      }
    }
    return out;
  }

  static fromEntries(entries: readonly (readonly [number, string, bigint])[]): Ledger {
    const ledger = new Ledger();
    for (const [id, asset, v] of entries) ledger.add(id, asset, v);
    const problems = ledger.conservationProblems();
    if (problems.length > 0) throw new Error(`ledger snapshot breaks conservation: ${problems.join('; ')}`);
    return ledger;
  }
}
