import { getAddress, verifyMessage } from 'ethers';
import { payoutAddressMessage } from '@exchange/client';
import { JsonStore } from './json-store';

/** Why a payout address registration was refused (stable codes, nothing changes). */
export type PayoutAddressError = 'INVALID_ACCOUNT' | 'INVALID_ADDRESS' | 'BAD_SIGNATURE' | 'ADDRESS_IN_USE';

export { payoutAddressMessage };

/**
 * Where each account's on-chain payouts go: one address per account, each address for one account
 * (a payout tree holds an address once). The wallet proves it holds the address by signing
 * payoutAddressMessage; an expiry's payouts use the addresses registered when it moves its payables.
 */
export class PayoutAddresses {
  private readonly store: JsonStore<Record<string, string>>;
  private readonly byAccount = new Map<number, string>();

  constructor(dir: string) {
    this.store = new JsonStore(dir);
    for (const [k, v] of Object.entries(this.store.get('payout-addresses') ?? {}))
      this.byAccount.set(Number(k), v);
  }

  get(accountId: number): string | undefined {
    return this.byAccount.get(accountId);
  }

  /** The account whose payout address this is (any case), if any. */
  accountOf(address: string): number | undefined {
    const a = address.toLowerCase();
    for (const [accountId, v] of this.byAccount) if (v.toLowerCase() === a) return accountId;
    return undefined;
  }

  register(accountId: number, address: unknown, signature: unknown): PayoutAddressError | null {
    if (!Number.isSafeInteger(accountId) || accountId <= 0) return 'INVALID_ACCOUNT';
    if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address)) return 'INVALID_ADDRESS';
    const checksummed = getAddress(address.toLowerCase());
    if (typeof signature !== 'string') return 'BAD_SIGNATURE';
    try {
      if (verifyMessage(payoutAddressMessage(accountId, checksummed), signature) !== checksummed)
        return 'BAD_SIGNATURE';
    } catch {
      return 'BAD_SIGNATURE';
    }
    for (const [other, a] of this.byAccount)
      if (a === checksummed && other !== accountId) return 'ADDRESS_IN_USE';
    const next: Record<string, string> = {};
    for (const [k, v] of [...this.byAccount, [accountId, checksummed] as const]) next[String(k)] = v;
    this.store.put('payout-addresses', next);
    this.byAccount.set(accountId, checksummed);
    return null;
  }
}
